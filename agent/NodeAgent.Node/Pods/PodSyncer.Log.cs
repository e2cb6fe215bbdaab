using Microsoft.Extensions.Logging;
using NodeAgent.Cri.Diagnostics;

namespace NodeAgent.Node.Pods;

public sealed partial class PodSyncer
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Started sandbox {SandboxId} (attempt {Attempt}) for pod {Namespace}/{Name}")]
    private static partial void LogSandboxStarted(ILogger logger, string @namespace, string name, string sandboxId, uint attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started container {Container} ({ContainerId}, restart {RestartCount}) of pod {Namespace}/{Name}")]
    private static partial void LogContainerStarted(ILogger logger, string @namespace, string name, string container, string containerId, int restartCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Killing container {Container} ({ContainerId}) of pod {Namespace}/{Name}: {Why}")]
    private static partial void LogKilling(ILogger logger, string @namespace, string name, string container, string containerId, string why);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sync of pod {Namespace}/{Name} steps (ms): {Steps}")]
    private static partial void LogSyncSteps(ILogger logger, string? @namespace, string name, StepTimer steps);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminated pod {Namespace}/{Name} ({Uid}): containers, sandbox and volumes removed")]
    private static partial void LogTerminated(ILogger logger, string @namespace, string name, string uid);
}
