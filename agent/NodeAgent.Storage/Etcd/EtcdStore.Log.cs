using Microsoft.Extensions.Logging;

namespace NodeAgent.Storage.Etcd;

internal sealed partial class EtcdStore
{
    [LoggerMessage(Level = LogLevel.Information, Message = "etcd store {Endpoint} opened at revision {Revision}")]
    private static partial void LogOpened(ILogger logger, Uri endpoint, long revision);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch on {Prefix} from revision {Revision}")]
    private static partial void LogWatchStarted(ILogger logger, string prefix, long revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compacted to revision {Revision}")]
    private static partial void LogCompacted(ILogger logger, long revision);
}
