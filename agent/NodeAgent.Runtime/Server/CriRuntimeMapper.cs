using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers;
using NodeAgent.Runtime.Sandboxes;

namespace NodeAgent.Runtime.Server;

/// <summary>Runtime records ↔ CRI messages (timestamps in Unix nanoseconds, as CRI wants).</summary>
internal static class CriRuntimeMapper
{
    public static long Nanos(DateTimeOffset? time) => time is { } t ? (t.ToUnixTimeMilliseconds() * 1_000_000) + (t.Ticks % TimeSpan.TicksPerMillisecond * 100) : 0;

    public static PodSandboxState StateOf(SandboxRecord record, bool infraAlive)
        => record.State == SandboxState.Ready && infraAlive ? PodSandboxState.SandboxReady : PodSandboxState.SandboxNotready;

    public static PodSandbox ToPodSandbox(SandboxRecord record, PodSandboxConfig config, PodSandboxState state)
    {
        var sandbox = new PodSandbox
        {
            Id = record.Id,
            Metadata = config.Metadata,
            State = state,
            CreatedAt = Nanos(record.CreatedAt),
            RuntimeHandler = record.RuntimeHandler,
        };
        sandbox.Labels.Add(config.Labels);
        sandbox.Annotations.Add(config.Annotations);
        return sandbox;
    }

    public static NodeAgent.Cri.V1.ContainerState StateOf(ContainerPhase phase) => phase switch
    {
        ContainerPhase.Created => NodeAgent.Cri.V1.ContainerState.ContainerCreated,
        ContainerPhase.Running => NodeAgent.Cri.V1.ContainerState.ContainerRunning,
        ContainerPhase.Exited => NodeAgent.Cri.V1.ContainerState.ContainerExited,
        _ => NodeAgent.Cri.V1.ContainerState.ContainerUnknown,
    };

    public static Container ToContainer(ContainerRecord record, ContainerConfig config)
    {
        var container = new Container
        {
            Id = record.Id,
            PodSandboxId = record.SandboxId,
            Metadata = config.Metadata,
            Image = new ImageSpec { Image = record.ImageId, UserSpecifiedImage = record.Image },
            ImageRef = record.ImageRef,
            ImageId = record.ImageId,
            State = StateOf(record.State),
            CreatedAt = Nanos(record.CreatedAt),
        };
        container.Labels.Add(config.Labels);
        container.Annotations.Add(config.Annotations);
        return container;
    }

    public static NodeAgent.Cri.V1.ContainerStatus ToStatus(ContainerRecord record, ContainerConfig config)
    {
        var status = new NodeAgent.Cri.V1.ContainerStatus
        {
            Id = record.Id,
            Metadata = config.Metadata,
            State = StateOf(record.State),
            CreatedAt = Nanos(record.CreatedAt),
            StartedAt = Nanos(record.StartedAt),
            FinishedAt = Nanos(record.FinishedAt),
            ExitCode = record.ExitCode,
            Image = new ImageSpec { Image = record.ImageId, UserSpecifiedImage = record.Image },
            ImageRef = record.ImageRef,
            ImageId = record.ImageId,
            Reason = record.Reason,
            Message = record.Message,
            LogPath = record.LogPath,
        };
        status.Labels.Add(config.Labels);
        status.Annotations.Add(config.Annotations);
        status.Mounts.Add(config.Mounts);
        if (config.Linux?.Resources is { } resources)
        {
            status.Resources = new ContainerResources { Linux = resources };
        }

        return status;
    }

    public static bool MatchesLabels(IDictionary<string, string> labels, IDictionary<string, string> selector)
        => selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);
}
