using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Network;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Runtime.Tests.Network;

public sealed class NetnsPinnerTests
{
    [Fact]
    public async Task A_pinned_namespace_is_an_nsfs_mount_ip_netns_sees_and_removal_unmounts_and_deletes_it()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        var name = prefix + "-ns";
        var ownNetns = new FileInfo("/proc/self/ns/net").LinkTarget;
        try
        {
            var path = await NetnsPinner.CreateAsync(name, cts.Token);

            Assert.Equal($"/run/netns/{name}", path);
            // The pin is a namespace of its own; the process (and the calling thread) stayed where they were.
            Assert.Equal(ownNetns, new FileInfo("/proc/self/ns/net").LinkTarget);
            Assert.Equal(ownNetns, new FileInfo("/proc/thread-self/ns/net").LinkTarget);
            var pinned = await TestProcess.RunAsync("ip", ["netns", "exec", name, "readlink", "/proc/self/ns/net"], cts.Token);
            Assert.NotEqual(ownNetns, pinned.EnsureSuccess().StandardOutput.Trim());
            Assert.Contains(await MountProbe.FindAsync(prefix, cts.Token), m => m.MountPoint == path && m.FileSystemType == "nsfs");
            Assert.Contains(name, await NetworkNamespaceProbe.FindAsync(prefix, cts.Token));
            // A fresh namespace: only lo, and it is down until the loopback plugin runs.
            var links = await TestProcess.RunAsync("ip", ["-n", name, "-o", "link"], cts.Token);
            Assert.Single(links.EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            var again = await Assert.ThrowsAsync<RuntimeException>(() => NetnsPinner.CreateAsync(name, cts.Token));
            Assert.Equal(RuntimeErrorKind.AlreadyExists, again.Kind);
            Assert.Contains(name, again.Message, StringComparison.Ordinal);

            NetnsPinner.Remove(name);
            Assert.False(File.Exists(path));
            Assert.Empty(await MountProbe.FindAsync(prefix, cts.Token));
            NetnsPinner.Remove(name);
        }
        finally
        {
            NetnsPinner.Remove(name);
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Removal_also_deletes_a_pin_file_whose_mount_is_already_gone()
    {
        using var cts = TestDeadline.Seconds(30);
        var prefix = TestIds.NewPrefix();
        var name = prefix + "-stale";
        Directory.CreateDirectory(NetnsPinner.NetnsDirectory);
        await File.WriteAllTextAsync(NetnsPinner.PathFor(name), "", cts.Token);

        NetnsPinner.Remove(name);

        Assert.False(File.Exists(NetnsPinner.PathFor(name)));
        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }
}
