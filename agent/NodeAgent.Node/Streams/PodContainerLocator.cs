using k8s.Models;

namespace NodeAgent.Node.Streams;

/// <summary>
/// Which runtime container a stream is about, from the pod's reported status (as kubelet decides it from its status
/// manager): the running one, the last terminated one for logs, or the previous attempt for <c>--previous</c>.
/// </summary>
public static class PodContainerLocator
{
    /// <summary>The container whose log <c>pods/log</c> reads (kubelet's <c>validateContainerLogStatus</c>).</summary>
    public static string ForLogs(V1Pod pod, string containerName, bool previous)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var podName = pod.Metadata.Name;
        var status = StatusOf(pod, containerName)
            ?? throw new PodStreamException($"container \"{containerName}\" in pod \"{podName}\" is waiting to start - no logs yet");
        var lastTerminated = status.LastState?.Terminated;
        var state = status.State;
        if (previous)
        {
            return RuntimeId(lastTerminated?.ContainerID)
                ?? throw new PodStreamException($"previous terminated container \"{containerName}\" in pod \"{podName}\" not found");
        }

        if (state?.Running is not null)
        {
            return RuntimeId(status.ContainerID) ?? throw NoLogsYet(containerName, podName);
        }

        if (state?.Terminated is { } terminated)
        {
            // The next attempt may not have started yet: its terminated state then carries no container id.
            return RuntimeId(terminated.ContainerID) ?? RuntimeId(lastTerminated?.ContainerID)
                ?? throw new PodStreamException($"container \"{containerName}\" in pod \"{podName}\" is terminated");
        }

        if (lastTerminated is not null)
        {
            return RuntimeId(lastTerminated.ContainerID)
                ?? throw new PodStreamException($"container \"{containerName}\" in pod \"{podName}\" is terminated");
        }

        throw state?.Waiting?.Reason switch
        {
            null => NoLogsYet(containerName, podName),
            "ErrImagePull" => new PodStreamException($"container \"{containerName}\" in pod \"{podName}\" is waiting to start: image can't be pulled"),
            "ImagePullBackOff" => new PodStreamException($"container \"{containerName}\" in pod \"{podName}\" is waiting to start: trying and failing to pull image"),
            var reason => new PodStreamException($"container \"{containerName}\" in pod \"{podName}\" is waiting to start: {reason}"),
        };
    }

    /// <summary>The running container an exec or attach goes to (kubelet answers "container not found" otherwise).</summary>
    public static string Running(V1Pod pod, string containerName)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var status = StatusOf(pod, containerName);
        return status?.State?.Running is not null && RuntimeId(status.ContainerID) is { } id
            ? id
            : throw new PodStreamException($"container not found (\"{containerName}\")");
    }

    /// <summary><c>nodeagent://abc</c> → <c>abc</c>; null for an empty id.</summary>
    public static string? RuntimeId(string? containerId)
    {
        if (string.IsNullOrEmpty(containerId))
        {
            return null;
        }

        var scheme = containerId.IndexOf("://", StringComparison.Ordinal);
        return scheme < 0 ? containerId : containerId[(scheme + 3)..];
    }

    private static V1ContainerStatus? StatusOf(V1Pod pod, string containerName) =>
        (pod.Status?.ContainerStatuses ?? [])
            .Concat(pod.Status?.InitContainerStatuses ?? [])
            .Concat(pod.Status?.EphemeralContainerStatuses ?? [])
            .FirstOrDefault(s => s.Name == containerName);

    private static PodStreamException NoLogsYet(string containerName, string podName) =>
        new($"container \"{containerName}\" in pod \"{podName}\" is waiting to start - no logs yet");
}
