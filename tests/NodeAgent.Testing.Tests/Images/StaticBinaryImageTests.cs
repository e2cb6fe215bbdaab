using System.Runtime.Versioning;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;

namespace NodeAgent.Testing.Tests.Images;

[SupportedOSPlatform("linux")]
public sealed class StaticBinaryImageTests
{
    [Fact]
    public async Task A_pause_image_holds_only_catatonit_as_its_entrypoint()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("oci-pause");
        var spec = ImageSpec.FromStaticBinary("nodeagent-test/pause", "pause", "/usr/bin/catatonit", "catatonit", arguments: ["-P"]);
        await new OciLayoutWriter(dir.Path).AddImageAsync(spec, cts.Token);

        var config = (await ImageTools.SkopeoInspectAsync(dir.Path, "pause", cts.Token, "--config")).GetProperty("config");
        Assert.Equal("/catatonit", config.GetProperty("Entrypoint")[0].GetString());
        Assert.Equal("-P", config.GetProperty("Cmd")[0].GetString());

        var rootfs = await ImageTools.UmociUnpackAsync(dir.Path, "pause", Path.Combine(dir.Path, "bundle"), cts.Token);
        Assert.Equal(["catatonit"], Directory.EnumerateFileSystemEntries(rootfs).Select(Path.GetFileName));
        Assert.True(File.GetUnixFileMode(Path.Combine(rootfs, "catatonit")).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task A_dynamically_linked_binary_is_refused_naming_the_package()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("oci-dynamic");
        var spec = ImageSpec.FromStaticBinary("nodeagent-test/dynamic", "dynamic", "/usr/bin/skopeo", "skopeo");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => new OciLayoutWriter(dir.Path).AddImageAsync(spec, cts.Token));

        Assert.Contains("dynamically linked", error.Message, StringComparison.Ordinal);
        Assert.Contains("'skopeo'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_busybox_names_the_busybox_static_package()
    {
        using var cts = TestDeadline.Seconds(60);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => StaticElf.EnsureStaticAsync("/nonexistent/busybox", BusyboxRootfs.Package, cts.Token));

        Assert.Contains("busybox-static", error.Message, StringComparison.Ordinal);
    }
}
