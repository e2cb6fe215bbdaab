using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Containers;

/// <summary>The CRI container states, as the runtime records them.</summary>
public enum ContainerPhase
{
    Created,
    Running,
    Exited,
    Unknown,
}

/// <summary>What the runtime keeps on disk about a container.</summary>
public sealed record ContainerRecord
{
    public required string Id { get; init; }

    public required string SandboxId { get; init; }

    /// <summary>The ContainerConfig as protobuf bytes.</summary>
    public required byte[] Config { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The image as the caller named it, and the image id it resolved to.</summary>
    public required string Image { get; init; }

    public required string ImageId { get; init; }

    /// <summary>The image's repo digest (what kubelet shows as imageID), or the id when none.</summary>
    public string ImageRef { get; init; } = string.Empty;

    public string LogPath { get; init; } = string.Empty;

    public ContainerPhase State { get; init; }

    public int Pid { get; init; }

    /// <summary>conmon's pid: while it lives, the exit code is still to come.</summary>
    public int MonitorPid { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public int ExitCode { get; init; }

    public string Reason { get; init; } = string.Empty;

    public string Message { get; init; } = string.Empty;

    public string StopSignal { get; init; } = string.Empty;

    /// <summary>The container's cgroup (relative to each hierarchy), for stats and OOM detection.</summary>
    public string CgroupsPath { get; init; } = string.Empty;

    public ContainerConfig ParseConfig() => ContainerConfig.Parser.ParseFrom(Config);
}
