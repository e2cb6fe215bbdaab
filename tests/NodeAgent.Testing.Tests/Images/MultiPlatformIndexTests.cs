using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;

namespace NodeAgent.Testing.Tests.Images;

public sealed class MultiPlatformIndexTests
{
    [Fact]
    public async Task Index_lists_amd64_and_arm64_manifests_with_matching_configs()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("oci-index");
        var layout = new OciLayoutWriter(dir.Path);
        var built = await layout.AddIndexAsync(TestImages.MultiPlatformTag, TestImages.MultiPlatform(), cts.Token);

        var tagged = Assert.Single((await layout.ReadIndexAsync(cts.Token)).Manifests);
        Assert.Equal(OciMediaTypes.ImageIndex, tagged.MediaType);
        Assert.Equal(built.IndexDigest, tagged.Digest);

        var index = OciJson.Deserialize<OciIndex>(await File.ReadAllBytesAsync(layout.BlobPath(tagged.Digest), cts.Token));
        Assert.Equal(OciMediaTypes.ImageIndex, index.MediaType);
        Assert.Equal([ImagePlatform.LinuxAmd64, ImagePlatform.LinuxArm64], index.Manifests.Select(m => m.Platform));
        foreach (var entry in index.Manifests)
        {
            var manifest = OciJson.Deserialize<OciManifest>(await File.ReadAllBytesAsync(layout.BlobPath(entry.Digest), cts.Token));
            var config = OciJson.Deserialize<OciImageConfig>(await File.ReadAllBytesAsync(layout.BlobPath(manifest.Config.Digest), cts.Token));
            Assert.Equal(entry.Platform!.Architecture, config.Architecture);
            Assert.Equal(entry.Platform.Variant, config.Variant);
            Assert.Equal(entry.Platform.ToString(), config.Config.Labels![TestImages.PlatformLabel]);
        }
    }

    [Theory]
    [InlineData("amd64", "linux/amd64")]
    [InlineData("arm64", "linux/arm64/v8")]
    public async Task Skopeo_picks_the_platform_it_is_asked_for(string architecture, string expectedLabel)
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("oci-index");
        await new OciLayoutWriter(dir.Path).AddIndexAsync(TestImages.MultiPlatformTag, TestImages.MultiPlatform(), cts.Token);

        var inspect = await ImageTools.SkopeoInspectForArchitectureAsync(dir.Path, TestImages.MultiPlatformTag, architecture, cts.Token);

        Assert.Equal(architecture, inspect.GetProperty("Architecture").GetString());
        Assert.Equal(expectedLabel, inspect.GetProperty("Labels").GetProperty(TestImages.PlatformLabel).GetString());
    }
}
