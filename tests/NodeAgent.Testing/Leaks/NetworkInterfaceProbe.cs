namespace NodeAgent.Testing.Leaks;

/// <summary>Interfaces in the test's network namespace (veths, bridges, dummies) from /sys/class/net.</summary>
public static class NetworkInterfaceProbe
{
    public const string SysClassNet = "/sys/class/net";

    public static IReadOnlyList<string> Find(string prefix) => Find(SysClassNet, prefix);

    public static IReadOnlyList<string> Find(string sysClassNet, string prefix)
        => Directory.EnumerateFileSystemEntries(sysClassNet)
            .Select(Path.GetFileName)
            .Where(name => PrefixMatch.Matches(name, prefix))
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
}
