namespace NodeAgent.Testing.Leaks;

/// <summary>
/// Cgroup directories carrying the prefix, in every cgroup v1 hierarchy and the v2 mount. The
/// hierarchies come from mountinfo, so v1, hybrid and pure v2 hosts all work without configuration.
/// </summary>
public static class CgroupProbe
{
    public const int DefaultMaxDepth = 8;

    /// <summary>One root per distinct hierarchy: bind mounts of the same cgroup show up once.</summary>
    public static IReadOnlyList<string> Roots(IEnumerable<MountEntry> mounts)
        => mounts
            .Where(m => m.FileSystemType is "cgroup" or "cgroup2")
            .DistinctBy(m => (m.Device, m.Root))
            .Select(m => m.MountPoint)
            .ToList();

    public static IReadOnlyList<string> Find(IEnumerable<string> roots, string prefix, int maxDepth = DefaultMaxDepth)
        => roots.SelectMany(root => DirectoryWalk.FindMatching(root, prefix, maxDepth)).ToList();
}
