using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Tests.Leaks;

/// <summary>
/// Creates each kind of real leftover under a fresh prefix, checks the leak check sees it, removes
/// it and checks the host is clean again. Needs root (like every integration test on this host).
/// </summary>
public class LeakCheckHostTests
{
    [Fact]
    public async Task Reports_a_network_namespace_and_its_pin_mount()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        try
        {
            await HostCommands.RunAsync("ip", ["netns", "add", prefix], cts.Token);

            var report = await LeakCheck.FindAsync(prefix, cts.Token);

            Assert.Equal([prefix], report.NetworkNamespaces);
            Assert.Contains(report.Mounts, m => m.MountPoint == "/run/netns/" + prefix && m.FileSystemType == "nsfs");
        }
        finally
        {
            await HostCommands.CleanupAsync("ip", "netns", "delete", prefix);
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Reports_bridge_and_veth_interfaces()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        try
        {
            await HostCommands.RunAsync("ip", ["link", "add", prefix + "b", "type", "bridge"], cts.Token);
            await HostCommands.RunAsync("ip", ["link", "add", prefix + "v", "type", "veth", "peer", "name", prefix + "p"], cts.Token);

            var report = await LeakCheck.FindAsync(prefix, cts.Token);

            Assert.Equal([prefix + "b", prefix + "p", prefix + "v"], report.NetworkInterfaces);
        }
        finally
        {
            await HostCommands.CleanupAsync("ip", "link", "delete", prefix + "b");
            await HostCommands.CleanupAsync("ip", "link", "delete", prefix + "v");
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Reports_an_iptables_chain_and_its_rules()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        var chain = prefix.ToUpperInvariant() + "-TEST"; // iptables chain names are at most 28 chars
        try
        {
            // A missing iptables throws here: the test fails loudly rather than passing blind.
            await HostCommands.RunAsync("iptables", ["-w", "5", "-t", "filter", "-N", chain], cts.Token);
            await HostCommands.RunAsync(
                "iptables", ["-w", "5", "-t", "filter", "-A", chain, "-m", "comment", "--comment", prefix + " leak test", "-j", "RETURN"], cts.Token);

            var report = await LeakCheck.FindAsync(prefix, cts.Token);

            Assert.Contains("filter: chain " + chain, report.IptablesEntries);
            Assert.Contains(report.IptablesEntries, e => e.StartsWith("filter: -A " + chain, StringComparison.Ordinal) && e.Contains(prefix + " leak test", StringComparison.Ordinal));
        }
        finally
        {
            await HostCommands.CleanupAsync("iptables", "-w", "5", "-t", "filter", "-F", chain);
            await HostCommands.CleanupAsync("iptables", "-w", "5", "-t", "filter", "-X", chain);
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Reports_cgroup_directories_in_v1_and_v2_hierarchies()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        var created = CgroupRootsToUse().Select(root => Path.Combine(root, prefix)).ToList();
        Assert.NotEmpty(created);
        try
        {
            foreach (var directory in created)
            {
                Directory.CreateDirectory(directory);
            }

            var report = await LeakCheck.FindAsync(prefix, cts.Token);

            Assert.Equal(created.Order(StringComparer.Ordinal), report.Cgroups.Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var directory in created.Where(Directory.Exists))
            {
                Directory.Delete(directory); // rmdir: a cgroup goes away only non-recursively
            }
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Reports_a_tmpfs_mount_and_its_temp_directory()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        var mountPoint = new TempDirectory(prefix);
        try
        {
            await HostCommands.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "nodeagent-leaktest", mountPoint.Path], cts.Token);

            var report = await LeakCheck.FindAsync(prefix, cts.Token);

            var mount = Assert.Single(report.Mounts);
            Assert.Equal((mountPoint.Path, "tmpfs", "nodeagent-leaktest"), (mount.MountPoint, mount.FileSystemType, mount.Source));
            Assert.Equal([mountPoint.Path], report.TempEntries);
        }
        finally
        {
            await HostCommands.CleanupAsync("umount", mountPoint.Path);
            mountPoint.Dispose();
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Reports_temp_entries_and_entries_under_extra_directories()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        var dataDir = new TempDirectory(TestIds.NewPrefix());
        var tempFile = Path.Combine(Path.GetTempPath(), prefix + ".json");
        var options = LeakCheckOptions.Default with { ExtraDirectories = [dataDir.Path] };
        try
        {
            await File.WriteAllTextAsync(tempFile, "{}", cts.Token);
            var sandbox = Directory.CreateDirectory(dataDir.Combine("sandboxes", prefix + "-pod")).FullName;

            var report = await LeakCheck.FindAsync(prefix, options, cts.Token);

            Assert.Equal([tempFile], report.TempEntries);
            Assert.Equal([sandbox], report.ExtraDirectoryEntries);
        }
        finally
        {
            File.Delete(tempFile);
            dataDir.Dispose();
        }

        await LeakCheck.AssertCleanAsync(prefix, options, cts.Token);
    }

    [Fact]
    public async Task Reports_a_process_started_by_the_test()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        using var temp = new TempDirectory(prefix);
        var watched = temp.Combine("watched.log");
        await File.WriteAllTextAsync(watched, "", cts.Token);
        // The prefix must stay in the live command line: "sh -c 'exec sleep 300' <prefix>" would
        // lose it at exec, so a single tail process on a prefixed path stands in for a workload.
        using var process = TestProcess.StartBackground("/usr/bin/tail", ["-f", watched], temp.Combine("tail.out"));
        try
        {
            var report = await LeakCheck.FindAsync(prefix, cts.Token);

            var leaked = Assert.Single(report.Processes);
            Assert.Equal(process.Id, leaked.Pid);
            Assert.Equal("/usr/bin/tail -f " + watched, leaked.CommandLine);
        }
        finally
        {
            await TestProcess.StopAsync(process, TimeSpan.FromSeconds(5));
        }

        temp.Dispose();
        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task AssertClean_throws_a_readable_list_of_every_leftover()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        var temp = new TempDirectory(prefix);
        try
        {
            await HostCommands.RunAsync("ip", ["netns", "add", prefix], cts.Token);
            await HostCommands.RunAsync("ip", ["link", "add", prefix + "b", "type", "bridge"], cts.Token);

            var leak = await Assert.ThrowsAsync<LeakException>(() => LeakCheck.AssertCleanAsync(prefix, cts.Token));

            Assert.Contains($"Leaks for prefix '{prefix}':", leak.Message, StringComparison.Ordinal);
            Assert.Contains($"network namespaces (1):\n    {prefix}\n", leak.Message, StringComparison.Ordinal);
            Assert.Contains($"network interfaces (1):\n    {prefix}b\n", leak.Message, StringComparison.Ordinal);
            Assert.Contains($"temp entries (1):\n    {temp.Path}", leak.Message, StringComparison.Ordinal);
            Assert.Contains("mounts (1):", leak.Message, StringComparison.Ordinal);
        }
        finally
        {
            await HostCommands.CleanupAsync("ip", "netns", "delete", prefix);
            await HostCommands.CleanupAsync("ip", "link", "delete", prefix + "b");
            temp.Dispose();
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    /// <summary>The pids v1 hierarchy and the v2 mount where present (pure v2 hosts: /sys/fs/cgroup).</summary>
    private static List<string> CgroupRootsToUse()
    {
        var mounts = MountInfoParser.Parse(File.ReadAllText(MountProbe.MountInfoPath));
        return mounts
            .Where(m => m.FileSystemType == "cgroup2" || (m.FileSystemType == "cgroup" && m.MountPoint.EndsWith("/pids", StringComparison.Ordinal)))
            .Where(m => m.Root == "/")
            .Select(m => m.MountPoint)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
