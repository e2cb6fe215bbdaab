namespace NodeAgent.Testing.Leaks;

/// <summary>Mounts whose mount point or source carries the prefix, as the test process sees them.</summary>
public static class MountProbe
{
    public const string MountInfoPath = "/proc/self/mountinfo";

    public static async Task<IReadOnlyList<MountEntry>> FindAsync(string prefix, CancellationToken cancellationToken)
        => Find(MountInfoParser.Parse(await File.ReadAllTextAsync(MountInfoPath, cancellationToken)), prefix);

    public static IReadOnlyList<MountEntry> Find(IEnumerable<MountEntry> mounts, string prefix)
        => mounts.Where(m => PrefixMatch.Matches(m.MountPoint, prefix) || PrefixMatch.Matches(m.Source, prefix)).ToList();
}
