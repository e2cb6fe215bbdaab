namespace NodeAgent.Runtime.Containers.Stats;

/// <summary>What one read of a cgroup gives, whatever its version; null parts mean the controller was not there.</summary>
public sealed record CgroupSample(ulong? CpuUsageNanoseconds, MemorySample? Memory, ulong? ProcessCount);

/// <summary>
/// Memory of a cgroup as kubelet wants it: working set = usage − inactive file pages (what the
/// kernel cannot reclaim cheaply, and what eviction looks at); limit null when unlimited.
/// </summary>
public sealed record MemorySample(ulong UsageBytes, ulong WorkingSetBytes, ulong RssBytes, ulong PageFaults, ulong MajorPageFaults, ulong? LimitBytes)
{
    /// <summary>What is left below the limit, as cadvisor computes it; null without a limit.</summary>
    public ulong? AvailableBytes => LimitBytes is { } limit ? (limit > WorkingSetBytes ? limit - WorkingSetBytes : 0) : null;

    public static ulong WorkingSet(ulong usage, ulong inactiveFile) => usage > inactiveFile ? usage - inactiveFile : 0;
}
