namespace NodeAgent.Runtime.Containers.Stats;

public sealed record CpuStats(ulong UsageCoreNanoSeconds, ulong UsageNanoCores);

/// <summary>Disk use of a container's writable layer (its snapshot's upper dir) on the filesystem at <paramref name="Mountpoint"/>.</summary>
public sealed record WritableLayerStats(string Mountpoint, ulong UsedBytes, ulong InodesUsed);

/// <summary>One container's usage at <paramref name="Timestamp"/>; cgroup parts are null once the container's cgroup is gone.</summary>
public sealed record ContainerUsage(ContainerRecord Container, DateTimeOffset Timestamp, CpuStats? Cpu, MemorySample? Memory, WritableLayerStats WritableLayer, ulong? ProcessCount);

/// <summary>A pod's usage: its cgroup parent (infra + containers), its netns's interfaces, and each container.</summary>
public sealed record PodUsage(
    Sandboxes.SandboxRecord Sandbox,
    DateTimeOffset Timestamp,
    CpuStats? Cpu,
    MemorySample? Memory,
    IReadOnlyList<InterfaceCounters>? Interfaces,
    ulong? ProcessCount,
    IReadOnlyList<ContainerUsage> Containers);
