using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Snapshots;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;
using RuntimeDigests = NodeAgent.Runtime.Images.Digests;

namespace NodeAgent.Runtime.Tests.Snapshots;

public sealed class OverlaySnapshotterTests
{
    [Fact]
    public async Task Chain_of_three_mounts_top_first_is_guarded_while_used_and_survives_a_new_snapshotter()
    {
        using var cts = TestDeadline.Seconds(60);
        var prefix = TestIds.NewPrefix();
        using (var temp = new TempDirectory(prefix))
        {
            var root = temp.Combine("snapshots");
            var snapshotter = new OverlaySnapshotter(root);
            var chain = await CommitChainAsync(snapshotter, ["base", "middle", "top"], cts.Token);

            var mount = Assert.Single(await snapshotter.PrepareAsync("c1", chain[2], cts.Token));
            Assert.Equal(("overlay", "overlay"), (mount.Type, mount.Source));
            Assert.Equal(
                "lowerdir=" + string.Join(':', Enumerable.Reverse(chain).Select(snapshotter.LayerFileSystem)),
                mount.Options[0]);
            Assert.Equal(
                [$"upperdir={root}/active/c1/upper", $"workdir={root}/active/c1/work"],
                mount.Options.Skip(1));

            var rootfs = Directory.CreateDirectory(temp.Combine("rootfs")).FullName;
            var mounter = new LinuxMounter();
            await mounter.MountAsync(mount, rootfs, cts.Token);
            try
            {
                Assert.Equal("top\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "which"), cts.Token));
                Assert.Equal("base\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "from-base"), cts.Token));
                Assert.Equal("middle\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "from-middle"), cts.Token));
                await File.WriteAllTextAsync(Path.Combine(rootfs, "written"), "by the container\n", cts.Token);
            }
            finally
            {
                await mounter.UnmountAsync(rootfs, cts.Token);
            }

            Assert.True(File.Exists(Path.Combine(root, "active", "c1", "upper", "written")));
            Assert.False(File.Exists(Path.Combine(snapshotter.LayerFileSystem(chain[2]), "written")));

            await Assert.ThrowsAsync<InvalidOperationException>(() => snapshotter.RemoveLayerAsync(chain[1], cts.Token));
            var inUse = await Assert.ThrowsAsync<InvalidOperationException>(() => snapshotter.RemoveLayerAsync(chain[2], cts.Token));
            Assert.Contains("c1", inUse.Message, StringComparison.Ordinal);
            Assert.Equal(chain.ToHashSet(), (await snapshotter.LayersInUseAsync(cts.Token)).ToHashSet());

            // Everything is on disk: a new snapshotter over the same root sees the same state.
            var restarted = new OverlaySnapshotter(root);
            Assert.All(chain, id => Assert.True(restarted.LayerExists(id)));
            Assert.Equal(mount.Options, Assert.Single(await restarted.MountsAsync("c1", cts.Token)).Options);
            Assert.Equal(chain.ToHashSet(), (await restarted.LayersInUseAsync(cts.Token)).ToHashSet());

            await restarted.RemoveAsync("c1", cts.Token);
            await restarted.RemoveAsync("c1", cts.Token);
            Assert.Empty(await restarted.LayersInUseAsync(cts.Token));
            await Assert.ThrowsAsync<InvalidOperationException>(() => restarted.RemoveLayerAsync(chain[0], cts.Token));
            foreach (var id in Enumerable.Reverse(chain))
            {
                await restarted.RemoveLayerAsync(id, cts.Token);
                Assert.False(restarted.LayerExists(id));
            }

            var error = await Assert.ThrowsAsync<RuntimeException>(() => restarted.MountsAsync("c1", cts.Token));
            Assert.Equal(RuntimeErrorKind.NotFound, error.Kind);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(root, "tmp")));
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Concurrent_commits_of_one_chain_id_fill_it_once()
    {
        using var cts = TestDeadline.Seconds(60);
        using var temp = new TempDirectory(TestIds.NewPrefix());
        var snapshotter = new OverlaySnapshotter(temp.Combine("snapshots"));
        var chainId = ChainId("shared");
        var fills = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var commits = Enumerable.Range(0, 8).Select(_ => Task.Run(
            () => snapshotter.CommitLayerAsync(chainId, null, async (directory, ct) =>
            {
                Interlocked.Increment(ref fills);
                await release.Task.WaitAsync(ct);
                await File.WriteAllTextAsync(Path.Combine(directory, "file"), "once\n", ct);
            }, cts.Token),
            cts.Token)).ToList();

        await Eventually.UntilAsync(_ => Task.FromResult(Volatile.Read(ref fills) == 1), "the first fill to start", cts.Token);
        release.SetResult();
        await Task.WhenAll(commits);

        Assert.Equal(1, fills);
        Assert.Equal("once\n", await File.ReadAllTextAsync(Path.Combine(snapshotter.LayerFileSystem(chainId), "file"), cts.Token));
    }

    [Fact]
    public async Task Failed_fill_publishes_nothing_and_leaves_no_staging()
    {
        using var cts = TestDeadline.Seconds(60);
        using var temp = new TempDirectory(TestIds.NewPrefix());
        var snapshotter = new OverlaySnapshotter(temp.Combine("snapshots"));
        var chainId = ChainId("broken");

        await Assert.ThrowsAsync<InvalidDataException>(() => snapshotter.CommitLayerAsync(chainId, null, async (directory, ct) =>
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "half"), "x", ct);
            throw new InvalidDataException("corrupt layer");
        }, cts.Token));

        Assert.False(snapshotter.LayerExists(chainId));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("snapshots", "tmp")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("snapshots", "layers")));
    }

    [Fact]
    public async Task Prepare_is_idempotent_for_the_same_top_and_refuses_another_or_a_missing_layer()
    {
        using var cts = TestDeadline.Seconds(60);
        using var temp = new TempDirectory(TestIds.NewPrefix());
        var snapshotter = new OverlaySnapshotter(temp.Combine("snapshots"));
        var chain = await CommitChainAsync(snapshotter, ["a", "b"], cts.Token);

        var first = await snapshotter.PrepareAsync("c", chain[1], cts.Token);
        Assert.Equal(first[0].Options, (await snapshotter.PrepareAsync("c", chain[1], cts.Token))[0].Options);
        Assert.Equal(RuntimeErrorKind.AlreadyExists, (await Assert.ThrowsAsync<RuntimeException>(() => snapshotter.PrepareAsync("c", chain[0], cts.Token))).Kind);
        Assert.Equal(RuntimeErrorKind.NotFound, (await Assert.ThrowsAsync<RuntimeException>(() => snapshotter.PrepareAsync("d", ChainId("missing"), cts.Token))).Kind);
        Assert.Equal(RuntimeErrorKind.Invalid, (await Assert.ThrowsAsync<RuntimeException>(() => snapshotter.PrepareAsync("../escape", chain[1], cts.Token))).Kind);
        Assert.Equal(RuntimeErrorKind.FailedPrecondition, (await Assert.ThrowsAsync<RuntimeException>(
            () => snapshotter.CommitLayerAsync(ChainId("orphan"), ChainId("no-parent"), (_, _) => Task.CompletedTask, cts.Token))).Kind);
    }

    [Fact]
    public async Task Too_many_layers_for_one_mount_option_page_is_a_clear_error()
    {
        using var cts = TestDeadline.Seconds(60);
        using var temp = new TempDirectory(TestIds.NewPrefix());
        var snapshotter = new OverlaySnapshotter(temp.Combine("snapshots"));
        var chain = await CommitChainAsync(snapshotter, [.. Enumerable.Range(0, 45).Select(i => $"layer{i}")], cts.Token);

        var error = await Assert.ThrowsAsync<RuntimeException>(() => snapshotter.PrepareAsync("c", chain[^1], cts.Token));
        Assert.Equal(RuntimeErrorKind.FailedPrecondition, error.Kind);
        Assert.Contains("4095", error.Message, StringComparison.Ordinal);
        Assert.Contains("45 layers", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("snapshots", "active")));
    }

    [Fact]
    public async Task Usage_counts_hard_linked_bytes_once()
    {
        using var cts = TestDeadline.Seconds(60);
        using var temp = new TempDirectory(TestIds.NewPrefix());
        var snapshotter = new OverlaySnapshotter(temp.Combine("snapshots"));
        var empty = await snapshotter.UsageAsync(cts.Token);

        await snapshotter.CommitLayerAsync(ChainId("linked"), null, async (directory, ct) =>
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "big"), new byte[4 * 1024 * 1024], ct);
            Assert.Equal(0, Libc.Linkat(Libc.AtFdCwd, Path.Combine(directory, "big"), Libc.AtFdCwd, Path.Combine(directory, "same"), 0));
        }, cts.Token);

        var usage = await snapshotter.UsageAsync(cts.Token);
        var added = usage.Bytes - empty.Bytes;
        Assert.InRange(added, 4L * 1024 * 1024, 5L * 1024 * 1024);
        Assert.Equal(empty.Inodes + 3, usage.Inodes); // layer dir, fs dir, one file inode
    }

    internal static string ChainId(string name) => RuntimeDigests.Sha256(System.Text.Encoding.UTF8.GetBytes(name));

    /// <summary>Commits one layer per name (bottom first); each holds "from-NAME" and a "which" file the next one overrides.</summary>
    private static async Task<List<string>> CommitChainAsync(OverlaySnapshotter snapshotter, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var chain = RuntimeDigests.ChainIds([.. names.Select(ChainId)]).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            await snapshotter.CommitLayerAsync(chain[i], i == 0 ? null : chain[i - 1], async (directory, ct) =>
            {
                await File.WriteAllTextAsync(Path.Combine(directory, "from-" + name), name + "\n", ct);
                await File.WriteAllTextAsync(Path.Combine(directory, "which"), name + "\n", ct);
            }, cancellationToken);
        }

        return chain;
    }
}
