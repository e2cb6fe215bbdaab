using System.IO.Compression;
using System.Runtime.Versioning;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Tests.Images;

[SupportedOSPlatform("linux")]
public sealed class OciLayoutTests
{
    [Fact]
    public async Task Busybox_layout_is_read_by_skopeo_with_the_spec_config()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("oci-layout");
        var spec = ImageSpec.Busybox("nodeagent-test/configured", "configured") with
        {
            Entrypoint = ["/bin/sh", "-c"],
            Cmd = ["httpd -f -p 8080"],
            User = "65534:65534",
            WorkingDir = "/tmp",
            StopSignal = "SIGINT",
            ExposedPorts = ["8080/tcp"],
        };
        spec = spec.WithEnv("GREETING", "hello").WithLabel("org.example.role", "web");
        var image = await new OciLayoutWriter(dir.Path).AddImageAsync(spec, cts.Token);

        var inspect = await ImageTools.SkopeoInspectAsync(dir.Path, "configured", cts.Token);
        Assert.Equal(image.ManifestDigest, inspect.GetProperty("Digest").GetString());
        Assert.Equal("amd64", inspect.GetProperty("Architecture").GetString());
        Assert.Equal("linux", inspect.GetProperty("Os").GetString());
        Assert.Equal("web", inspect.GetProperty("Labels").GetProperty("org.example.role").GetString());
        Assert.Contains("GREETING=hello", inspect.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Single(inspect.GetProperty("Layers").EnumerateArray());

        var config = (await ImageTools.SkopeoInspectAsync(dir.Path, "configured", cts.Token, "--config")).GetProperty("config");
        Assert.Equal(["/bin/sh", "-c"], config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["httpd -f -p 8080"], config.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("65534:65534", config.GetProperty("User").GetString());
        Assert.Equal("/tmp", config.GetProperty("WorkingDir").GetString());
        Assert.Equal("SIGINT", config.GetProperty("StopSignal").GetString());
        Assert.True(config.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
    }

    [Fact]
    public async Task Every_blob_matches_its_digest_and_every_descriptor_resolves()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("oci-layout");
        var images = await TestImages.WriteAllAsync(dir.Path, cts.Token);

        var blobCount = await LayoutVerifier.VerifyAsync(dir.Path, cts.Token);

        // busybox: 3 blobs; multilayer adds config, manifest and two layers (busybox layer shared);
        // multiplatform adds per platform a files layer, config and manifest (files differ), plus the index.
        Assert.Equal(3 + 4 + 7, blobCount);
        Assert.Equal(["busybox", "multilayer", "multiplatform"], (await new OciLayoutWriter(dir.Path).ReadIndexAsync(cts.Token)).Manifests.Select(m => m.RefName));
        Assert.Equal(images.Busybox.Layers[0].Descriptor, images.MultiLayer.Layers[0].Descriptor);
    }

    [Fact]
    public async Task Diff_ids_are_the_digests_of_the_uncompressed_layers()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("oci-layout");
        var layout = new OciLayoutWriter(dir.Path);
        var image = await layout.AddImageAsync(TestImages.MultiLayer(), cts.Token);

        var config = OciJson.Deserialize<OciImageConfig>(await File.ReadAllBytesAsync(layout.BlobPath(image.Config.Digest), cts.Token));
        Assert.Equal(3, config.Rootfs.DiffIds.Count);
        Assert.Equal(3, config.History.Count);
        for (var i = 0; i < image.Layers.Count; i++)
        {
            await using var gzip = new GZipStream(File.OpenRead(layout.BlobPath(image.Layers[i].Descriptor.Digest)), CompressionMode.Decompress);
            Assert.Equal(config.Rootfs.DiffIds[i], await Digests.Sha256Async(gzip, cts.Token));
            Assert.Equal(config.Rootfs.DiffIds[i], image.Layers[i].DiffId);
        }
    }

    [Fact]
    public async Task Building_twice_gives_the_same_digests()
    {
        using var cts = TestDeadline.Seconds(60);
        using var first = new TempDirectory("oci-layout");
        using var second = new TempDirectory("oci-layout");

        var a = await TestImages.WriteAllAsync(first.Path, cts.Token);
        var b = await TestImages.WriteAllAsync(second.Path, cts.Token);

        Assert.Equal(a.Busybox.ManifestDigest, b.Busybox.ManifestDigest);
        Assert.Equal(a.MultiLayer.ManifestDigest, b.MultiLayer.ManifestDigest);
        Assert.Equal(a.MultiPlatform.IndexDigest, b.MultiPlatform.IndexDigest);
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(first.Path, "index.json"), cts.Token),
            await File.ReadAllBytesAsync(Path.Combine(second.Path, "index.json"), cts.Token));
    }

    [Fact]
    public async Task Layer_tar_is_sorted_with_fixed_times_and_root_ownership()
    {
        using var cts = TestDeadline.Seconds(60);
        var layer = await LayerArchive.CreateAsync(
            LayerSpec.Of(LayerEntry.TextFile("/b/z", "z"), LayerEntry.TextFile("/a/long/path/file", "f"), LayerEntry.Symlink("/b/link", "/a")),
            ImageSpec.FixedCreated,
            cts.Token);

        var entries = await ImageTools.ReadLayerTarAsync(layer.Compressed, cts.Token);

        Assert.Equal(["a/", "a/long/", "a/long/path/", "a/long/path/file", "b/", "b/link", "b/z"], entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.Equal(ImageSpec.FixedCreated, e.ModificationTime));
        Assert.All(entries, e => Assert.Equal((0, 0), (e.Uid, e.Gid)));
        Assert.Equal("/a", entries.Single(e => e.Name == "b/link").LinkName);
    }

    [Fact]
    public async Task Busybox_rootfs_unpacks_with_applets_users_and_a_sticky_tmp_and_runs()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("oci-layout");
        await new OciLayoutWriter(dir.Path).AddImageAsync(TestImages.Busybox(), cts.Token);

        var rootfs = await ImageTools.UmociUnpackAsync(dir.Path, TestImages.BusyboxTag, Path.Combine(dir.Path, "bundle"), cts.Token);

        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(rootfs, "bin/sh")).LinkTarget);
        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(rootfs, "usr/bin/wget")).LinkTarget);
        Assert.Contains("nobody:x:65534:65534:", await File.ReadAllTextAsync(Path.Combine(rootfs, "etc/passwd"), cts.Token));
        Assert.Contains("nogroup:x:65534:", await File.ReadAllTextAsync(Path.Combine(rootfs, "etc/group"), cts.Token));
        Assert.True(File.GetUnixFileMode(Path.Combine(rootfs, "tmp")).HasFlag(UnixFileMode.StickyBit | UnixFileMode.OtherWrite));
        Assert.True(Directory.Exists(Path.Combine(rootfs, "root")));

        var echo = await TestProcess.RunAsync("/usr/sbin/chroot", [rootfs, "/bin/sh", "-c", "echo hello from $(id -u)"], cts.Token);
        Assert.Equal("hello from 0", echo.EnsureSuccess().StandardOutput.Trim());
    }
}
