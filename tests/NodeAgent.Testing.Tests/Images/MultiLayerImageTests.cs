using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;

namespace NodeAgent.Testing.Tests.Images;

public sealed class MultiLayerImageTests
{
    [Fact]
    public async Task Umoci_unpack_applies_the_whiteout_and_the_opaque_directory()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("oci-multilayer");
        await new OciLayoutWriter(dir.Path).AddImageAsync(TestImages.MultiLayer(), cts.Token);

        var rootfs = await ImageTools.UmociUnpackAsync(dir.Path, TestImages.MultiLayerTag, Path.Combine(dir.Path, "bundle"), cts.Token);
        string InRootfs(string path) => Path.Combine(rootfs, path.TrimStart('/'));

        Assert.Equal("keep\n", await File.ReadAllTextAsync(InRootfs(TestImages.KeptFile), cts.Token));
        Assert.False(File.Exists(InRootfs(TestImages.DeletedFile)));
        Assert.Equal(
            [Path.GetFileName(TestImages.UpperFile)],
            Directory.EnumerateFileSystemEntries(InRootfs(TestImages.OpaqueDirectory)).Select(Path.GetFileName));
        Assert.Equal("new\n", await File.ReadAllTextAsync(InRootfs(TestImages.UpperFile), cts.Token));
    }

    [Fact]
    public async Task Upper_layer_holds_the_whiteout_markers_before_their_siblings()
    {
        using var cts = TestDeadline.Seconds(60);
        var upper = TestImages.MultiLayer().Layers[^1];

        var layer = await LayerArchive.CreateAsync(upper, ImageSpec.FixedCreated, cts.Token);
        var names = (await ImageTools.ReadLayerTarAsync(layer.Compressed, cts.Token)).Select(e => e.Name).ToList();

        Assert.Equal(["data/", "data/.wh.gone", "opaque/", "opaque/.wh..wh..opq", "opaque/new"], names);
    }
}
