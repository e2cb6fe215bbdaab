namespace NodeAgent.Testing.Leaks;

/// <summary>Where a leak check looks besides the fixed host places.</summary>
public sealed record LeakCheckOptions
{
    public static LeakCheckOptions Default { get; } = new();

    /// <summary>Extra roots (a data dir, a log dir, a run dir) walked for entries carrying the prefix.</summary>
    public IReadOnlyList<string> ExtraDirectories { get; init; } = [];

    public int ExtraDirectoryDepth { get; init; } = 4;

    /// <summary>The temp directory whose top level is checked; defaults to <see cref="Path.GetTempPath"/>.</summary>
    public string TempDirectory { get; init; } = Path.GetTempPath();

    public int CgroupDepth { get; init; } = CgroupProbe.DefaultMaxDepth;
}
