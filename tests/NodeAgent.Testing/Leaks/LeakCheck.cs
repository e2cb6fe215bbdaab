using NodeAgent.Testing.Common;

namespace NodeAgent.Testing.Leaks;

/// <summary>
/// Finds what a test left on the host, by the unique prefix (<see cref="TestIds.NewPrefix"/>) the
/// test used for every name. Call <see cref="AssertCleanAsync(string, CancellationToken)"/> at
/// the end of an integration test, after its own cleanup.
/// </summary>
public static class LeakCheck
{
    public static Task<LeakReport> FindAsync(string prefix, CancellationToken cancellationToken)
        => FindAsync(prefix, LeakCheckOptions.Default, cancellationToken);

    public static async Task<LeakReport> FindAsync(string prefix, LeakCheckOptions options, CancellationToken cancellationToken)
    {
        PrefixMatch.Validate(prefix);
        ArgumentNullException.ThrowIfNull(options);

        var allMounts = MountInfoParser.Parse(await File.ReadAllTextAsync(MountProbe.MountInfoPath, cancellationToken));
        var netns = NetworkNamespaceProbe.FindAsync(prefix, cancellationToken);
        var iptables = IptablesProbe.FindAsync(prefix, cancellationToken);
        return new LeakReport(
            prefix,
            Mounts: MountProbe.Find(allMounts, prefix),
            NetworkNamespaces: await netns,
            NetworkInterfaces: NetworkInterfaceProbe.Find(prefix),
            IptablesEntries: await iptables,
            Cgroups: CgroupProbe.Find(CgroupProbe.Roots(allMounts), prefix, options.CgroupDepth),
            Processes: ProcessProbe.Find(prefix),
            TempEntries: DirectoryProbe.FindTemp(options.TempDirectory, prefix),
            ExtraDirectoryEntries: DirectoryProbe.FindUnder(options.ExtraDirectories, prefix, options.ExtraDirectoryDepth));
    }

    public static Task AssertCleanAsync(string prefix, CancellationToken cancellationToken)
        => AssertCleanAsync(prefix, LeakCheckOptions.Default, cancellationToken);

    /// <summary>Throws <see cref="LeakException"/> listing every leftover when the host is not clean.</summary>
    public static async Task AssertCleanAsync(string prefix, LeakCheckOptions options, CancellationToken cancellationToken)
    {
        var report = await FindAsync(prefix, options, cancellationToken);
        if (!report.IsClean)
        {
            throw new LeakException(report);
        }
    }
}
