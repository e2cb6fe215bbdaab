using Microsoft.Extensions.Logging;

namespace NodeAgent.Runtime.Network;

internal static partial class CniPodNetworkLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Pod network of sandbox {SandboxId} set up ({Addresses}) in {Elapsed}")]
    public static partial void SetUp(ILogger logger, string sandboxId, IReadOnlyList<string> addresses, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pod network of sandbox {SandboxId} torn down in {Elapsed}")]
    public static partial void TornDown(ILogger logger, string sandboxId, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Setting up the network of sandbox {SandboxId} failed, rolling back: {Reason}")]
    public static partial void SetUpFailed(ILogger logger, string sandboxId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rolling back the network of sandbox {SandboxId} failed; its state stays for a later tear-down: {Reason}")]
    public static partial void RollBackFailed(ILogger logger, string sandboxId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox {SandboxId} has a network left in phase {Phase}; tearing it down before setting up again")]
    public static partial void ReplacingStale(ILogger logger, string sandboxId, PodNetworkPhase phase);
}
