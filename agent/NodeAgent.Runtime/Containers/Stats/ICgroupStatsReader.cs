namespace NodeAgent.Runtime.Containers.Stats;

/// <summary>Reads usage counters of one cgroup (a cgroupfs path relative to the hierarchy roots, as runc's cgroupsPath).</summary>
public interface ICgroupStatsReader
{
    /// <summary>The cgroup's counters, or null when the cgroup does not exist (the container is gone).</summary>
    CgroupSample? Read(string cgroupsPath);
}

/// <summary>Picks the reader for the host's cgroup layout.</summary>
public static class CgroupStatsReaders
{
    public const string DefaultRoot = "/sys/fs/cgroup";

    /// <summary>
    /// A unified (v2) host has cgroup.controllers at the root; a v1 or hybrid host (like this one,
    /// whose /sys/fs/cgroup/unified carries no controllers) has one hierarchy per controller.
    /// </summary>
    public static ICgroupStatsReader ForHost(string root = DefaultRoot)
        => File.Exists(Path.Combine(root, "cgroup.controllers")) ? new CgroupV2StatsReader(root) : new CgroupV1StatsReader(root);
}
