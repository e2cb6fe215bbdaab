using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Testing.Tests.Registry;

public sealed class RegistryPushTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task Pushed_busybox_is_served_with_the_same_digests()
    {
        using var cts = TestDeadline.Seconds(60);
        var image = await registry.PushImageAsync(TestImages.Busybox(), "test/busybox:1", cts.Token);
        using var client = registry.CreateClient();

        var served = await client.GetManifestAsync("test/busybox", "1", cts.Token);

        Assert.Equal(OciMediaTypes.ImageManifest, served.MediaType);
        Assert.Equal(image.ManifestDigest, served.Digest);
        Assert.Equal(image.ManifestDigest, Digests.Sha256(served.Content.Span));
        var manifest = served.Parse<OciManifest>();
        foreach (var blob in manifest.Layers.Append(manifest.Config))
        {
            var bytes = await client.GetBlobAsync("test/busybox", blob.Digest, cts.Token);
            Assert.Equal(blob.Digest, Digests.Sha256(bytes));
            Assert.Equal(blob.Size, bytes.Length);
        }
    }

    [Fact]
    public async Task Pushed_multi_layer_image_keeps_its_three_layers_and_config()
    {
        using var cts = TestDeadline.Seconds(60);
        using var layout = new TempDirectory("oci-push");
        var images = await TestImages.WriteAllAsync(layout.Path, cts.Token);
        await registry.PushAsync(layout.Path, TestImages.MultiLayerTag, "test/multilayer:v1", cts.Token);
        using var client = registry.CreateClient();

        var manifest = (await client.GetManifestAsync("test/multilayer", "v1", cts.Token)).Parse<OciManifest>();

        Assert.Equal(images.MultiLayer.Layers.Select(l => l.Descriptor.Digest), manifest.Layers.Select(l => l.Digest));
        var config = OciJson.Deserialize<OciImageConfig>(await client.GetBlobAsync("test/multilayer", manifest.Config.Digest, cts.Token));
        Assert.Equal(images.MultiLayer.Layers.Select(l => l.DiffId), config.Rootfs.DiffIds);
    }

    [Fact]
    public async Task Pushed_index_lists_both_platforms_and_each_platform_manifest_is_served()
    {
        using var cts = TestDeadline.Seconds(60);
        var built = await registry.PushIndexAsync(TestImages.MultiPlatform(), "test/multiplatform:v1", cts.Token);
        using var client = registry.CreateClient();

        var served = await client.GetManifestAsync("test/multiplatform", "v1", cts.Token);

        Assert.Equal(OciMediaTypes.ImageIndex, served.MediaType);
        Assert.Equal(built.IndexDigest, served.Digest);
        var index = served.Parse<OciIndex>();
        Assert.Equal(2, index.Manifests.Count);
        Assert.Equal(["amd64", "arm64"], index.Manifests.Select(m => m.Platform!.Architecture));
        foreach (var entry in index.Manifests)
        {
            var manifest = (await client.GetManifestAsync("test/multiplatform", entry.Digest, cts.Token)).Parse<OciManifest>();
            var config = OciJson.Deserialize<OciImageConfig>(await client.GetBlobAsync("test/multiplatform", manifest.Config.Digest, cts.Token));
            Assert.Equal(entry.Platform!.Architecture, config.Architecture);
        }
    }

    [Fact]
    public async Task Pushing_an_unknown_layout_tag_names_the_tags_there_are()
    {
        using var cts = TestDeadline.Seconds(60);
        using var layout = new TempDirectory("oci-push");
        await new OciLayoutWriter(layout.Path).AddImageAsync(TestImages.Busybox(), cts.Token);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => registry.PushAsync(layout.Path, "nope", "test/nope:v1", cts.Token));

        Assert.Contains(TestImages.BusyboxTag, error.Message, StringComparison.Ordinal);
    }
}
