using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Unpack;
using NodeAgent.Runtime.Snapshots;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Leaks;
using RuntimeDigests = NodeAgent.Runtime.Images.Digests;

namespace NodeAgent.Runtime.Tests.Snapshots;

/// <summary>The harness's multi-layer image, unpacked layer by layer and mounted for real: whiteouts and opaque dirs must work in overlayfs.</summary>
public sealed class MultiLayerOverlayTests
{
    [Fact]
    public async Task Mounted_multi_layer_image_hides_whited_out_files_and_lower_content_of_opaque_dirs()
    {
        using var cts = TestDeadline.Seconds(60);
        var prefix = TestIds.NewPrefix();
        using (var temp = new TempDirectory(prefix))
        {
            var layout = new OciLayoutWriter(temp.Combine("layout"));
            var image = await layout.AddImageAsync(TestImages.MultiLayer(), cts.Token);
            var snapshotter = new OverlaySnapshotter(temp.Combine("snapshots"));
            var chainIds = RuntimeDigests.ChainIds([.. image.Layers.Select(l => l.DiffId)]);
            for (var i = 0; i < image.Layers.Count; i++)
            {
                var blob = layout.BlobPath(image.Layers[i].Descriptor.Digest);
                var diffId = image.Layers[i].DiffId;
                await snapshotter.CommitLayerAsync(chainIds[i], i == 0 ? null : chainIds[i - 1], async (directory, ct) =>
                {
                    await using var stream = File.OpenRead(blob);
                    var result = await new LayerUnpacker().UnpackAsync(stream, LayerCompression.Gzip, directory, ct);
                    Assert.Equal(diffId, result.DiffId);
                }, cts.Token);
            }

            var mount = Assert.Single(await snapshotter.PrepareAsync("container-1", chainIds[^1], cts.Token));
            var rootfs = Directory.CreateDirectory(temp.Combine("rootfs")).FullName;
            var mounter = new LinuxMounter();
            await mounter.MountAsync(mount, rootfs, cts.Token);
            try
            {
                Assert.False(File.Exists(rootfs + TestImages.DeletedFile));
                Assert.Equal("keep\n", await File.ReadAllTextAsync(rootfs + TestImages.KeptFile, cts.Token));
                Assert.Equal(["new"], Directory.EnumerateFileSystemEntries(rootfs + TestImages.OpaqueDirectory).Select(Path.GetFileName));
                Assert.True(File.Exists(rootfs + "/bin/busybox"));
            }
            finally
            {
                await mounter.UnmountAsync(rootfs, cts.Token);
            }

            await snapshotter.RemoveAsync("container-1", cts.Token);
            foreach (var chainId in chainIds.Reverse())
            {
                await snapshotter.RemoveLayerAsync(chainId, cts.Token);
            }

            Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("snapshots", "layers")));
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }
}
