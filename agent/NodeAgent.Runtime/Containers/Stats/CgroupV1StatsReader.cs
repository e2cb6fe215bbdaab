namespace NodeAgent.Runtime.Containers.Stats;

/// <summary>
/// cgroup v1 (and hybrid): cpuacct.usage in the cpuacct hierarchy, memory.usage_in_bytes and the
/// hierarchical total_* keys of memory.stat (a pod cgroup holds its containers below it), pids.current.
/// </summary>
public sealed class CgroupV1StatsReader(string root = CgroupStatsReaders.DefaultRoot) : ICgroupStatsReader
{
    /// <summary>v1 spells "no limit" as the largest page-aligned signed 64-bit value; anything this large is none.</summary>
    private const ulong UnlimitedThreshold = 1UL << 62;

    public CgroupSample? Read(string cgroupsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupsPath);
        var cpu = CgroupFiles.ReadNumber(Path.Combine(CgroupFiles.Directory(Path.Combine(root, "cpuacct"), cgroupsPath), "cpuacct.usage"));
        var memory = ReadMemory(CgroupFiles.Directory(Path.Combine(root, "memory"), cgroupsPath));
        var pids = CgroupFiles.ReadNumber(Path.Combine(CgroupFiles.Directory(Path.Combine(root, "pids"), cgroupsPath), "pids.current"));
        return cpu is null && memory is null && pids is null ? null : new CgroupSample(cpu, memory, pids);
    }

    private static MemorySample? ReadMemory(string directory)
    {
        var usage = CgroupFiles.ReadNumber(Path.Combine(directory, "memory.usage_in_bytes"));
        var stat = CgroupFiles.ReadKeyed(Path.Combine(directory, "memory.stat"));
        if (usage is null || stat is null)
        {
            return null;
        }

        var limit = CgroupFiles.ReadNumber(Path.Combine(directory, "memory.limit_in_bytes"));
        return new MemorySample(
            usage.Value,
            MemorySample.WorkingSet(usage.Value, CgroupFiles.Get(stat, "total_inactive_file")),
            CgroupFiles.Get(stat, "total_rss"),
            CgroupFiles.Get(stat, "total_pgfault"),
            CgroupFiles.Get(stat, "total_pgmajfault"),
            limit is { } l && l < UnlimitedThreshold ? l : null);
    }
}
