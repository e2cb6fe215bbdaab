using NodeAgent.Runtime.Snapshots;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Runtime.Tests.Images.Store;

/// <summary>Pulled images become real overlay root filesystems: whiteouts and opaque dirs honoured.</summary>
public sealed class OverlayRootfsTests
{
    [Fact]
    public async Task Mounted_rootfs_of_a_multi_layer_image_honours_whiteouts_and_opaque_dirs()
    {
        using var cts = TestDeadline.Seconds(90);
        var ct = cts.Token;
        var prefix = TestIds.NewPrefix();
        await using var registry = await RegistryFixture.StartNewAsync(RegistryOptions.Anonymous, ct);
        await registry.PushImageAsync(TestImages.MultiLayer(), "nodeagent-test/multilayer:latest", ct);
        using (var store = await InProcessImageStore.OpenAsync(prefix, [registry.Host], ct))
        {
            var image = await store.PullAsync(registry.Reference("nodeagent-test/multilayer", "latest"), ct);
            var mounts = await store.Services.Snapshots.PrepareAsync(prefix + "-ctr", image.TopChainId, ct);
            var target = store.Directory.Combine("rootfs");
            Directory.CreateDirectory(target);
            var mounter = new LinuxMounter();
            await mounter.MountAsync(Assert.Single(mounts), target, ct);
            try
            {
                Assert.True(File.Exists(Path.Combine(target, TestImages.KeptFile.TrimStart('/'))));
                Assert.False(File.Exists(Path.Combine(target, TestImages.DeletedFile.TrimStart('/'))));
                Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(target, TestImages.OpaqueDirectory.TrimStart('/'))).Select(Path.GetFileName));
                Assert.True(File.Exists(Path.Combine(target, "bin", "busybox")));

                // The container's writes land in its own upper dir, never in the shared layers.
                await File.WriteAllTextAsync(Path.Combine(target, "data", "written"), "x", ct);
            }
            finally
            {
                await mounter.UnmountAsync(target, ct);
            }

            await store.Services.Snapshots.RemoveAsync(prefix + "-ctr", ct);
        }

        await LeakCheck.AssertCleanAsync(prefix, ct);
    }
}
