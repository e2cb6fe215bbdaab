namespace NodeAgent.Runtime.Containers.Stats;

/// <summary>
/// cgroup v2 (unified): cpu.stat usage_usec, memory.current with memory.stat anon/inactive_file/
/// pgfault/pgmajfault (v2 counters are hierarchical already), memory.max, pids.current.
/// </summary>
public sealed class CgroupV2StatsReader(string root = CgroupStatsReaders.DefaultRoot) : ICgroupStatsReader
{
    public CgroupSample? Read(string cgroupsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupsPath);
        var directory = CgroupFiles.Directory(root, cgroupsPath);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        ulong? cpu = CgroupFiles.ReadKeyed(Path.Combine(directory, "cpu.stat")) is { } cpuStat && cpuStat.TryGetValue("usage_usec", out var micros)
            ? micros * 1000
            : null;
        return new CgroupSample(cpu, ReadMemory(directory), CgroupFiles.ReadNumber(Path.Combine(directory, "pids.current")));
    }

    private static MemorySample? ReadMemory(string directory)
    {
        var usage = CgroupFiles.ReadNumber(Path.Combine(directory, "memory.current"));
        var stat = CgroupFiles.ReadKeyed(Path.Combine(directory, "memory.stat"));
        if (usage is null || stat is null)
        {
            return null;
        }

        return new MemorySample(
            usage.Value,
            MemorySample.WorkingSet(usage.Value, CgroupFiles.Get(stat, "inactive_file")),
            CgroupFiles.Get(stat, "anon"),
            CgroupFiles.Get(stat, "pgfault"),
            CgroupFiles.Get(stat, "pgmajfault"),
            CgroupFiles.ReadNumber(Path.Combine(directory, "memory.max"))); // "max" reads as null: no limit
    }
}
