using Microsoft.Extensions.Logging;

namespace NodeAgent.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite store {Path} opened at revision {Revision} (compacted {Compacted})")]
    private static partial void LogOpened(ILogger logger, string path, long revision, long compacted);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch on {Prefix} from revision {Revision}")]
    private static partial void LogWatchStarted(ILogger logger, string prefix, long revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compacted to revision {Revision}: {Rows} rows removed")]
    private static partial void LogCompacted(ILogger logger, long revision, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The unique (name, prev_revision) index refused a write of {Key}")]
    private static partial void LogLostRace(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading new rows for watches failed; retrying at the next poll")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} writes failed and was rolled back")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History after {Head} was compacted (to {Compacted}) before the watch cache read it; older watches get Gone")]
    private static partial void LogCacheReset(ILogger logger, long head, long compacted);
}
