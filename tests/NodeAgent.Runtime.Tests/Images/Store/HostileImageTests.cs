using System.Formats.Tar;
using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.NodeAgentCri;
using NodeAgent.Testing.Registry;

using ImageSpec = NodeAgent.Cri.V1.ImageSpec;

namespace NodeAgent.Runtime.Tests.Images.Store;

/// <summary>
/// Registries are untrusted: corrupt blobs and hostile layers must fail the pull cleanly through
/// the CRI surface, leave the store consistent and write nothing outside it.
/// </summary>
public sealed class HostileImageTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new(TestIds.NewPrefix());
    private RegistryFixture _registry = null!;
    private NodeAgentCriProcess _runtime = null!;

    public async Task InitializeAsync()
    {
        using var cts = TestDeadline.Seconds(60);
        _registry = await RegistryFixture.StartNewAsync(RegistryOptions.Anonymous, cts.Token);
        Directory.CreateDirectory(_dir.Combine("runtime"));
        _runtime = await NodeAgentCriProcess.StartAsync(
            new NodeAgentCriSettings { Prefix = Path.GetFileName(_dir.Path), BaseDirectory = _dir.Combine("runtime"), InsecureRegistries = [_registry.Host] },
            cts.Token);
    }

    public async Task DisposeAsync()
    {
        await _runtime.DisposeAsync();
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    public static TheoryData<string> HostileLayers => new() { "dotdot", "absolute", "symlink-escape", "symlink-parent", "hardlink-escape", "block-device", "char-device" };

    [Theory]
    [MemberData(nameof(HostileLayers))]
    public async Task Hostile_layer_is_refused_and_nothing_lands_outside_the_store(string kind)
    {
        using var cts = TestDeadline.Seconds(60);
        var ct = cts.Token;
        var sentinel = _dir.Combine("sentinel-" + kind);
        Directory.CreateDirectory(sentinel);
        var layout = _dir.Combine("layout-" + kind);
        await RawImageLayout.WriteAsync(layout, "hostile", [HostileEntries(kind, sentinel)], ct);
        await _registry.PushAsync(layout, "hostile", $"nodeagent-test/hostile-{kind}:1", ct);

        var error = await Assert.ThrowsAsync<RpcException>(() => _runtime.Client.Images.PullImageAsync(
            new PullImageRequest { Image = new ImageSpec { Image = _registry.Reference($"nodeagent-test/hostile-{kind}", "1") } }, cancellationToken: ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(sentinel));
        Assert.False(File.Exists("/tmp/nodeagent-hostile-" + kind));
        var list = await _runtime.Client.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: ct);
        Assert.DoesNotContain(list.Images, i => i.RepoTags.Any(t => t.Contains("hostile", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Corrupt_blob_fails_with_a_digest_error_and_a_later_good_pull_succeeds()
    {
        using var cts = TestDeadline.Seconds(60);
        var ct = cts.Token;
        var image = await _registry.PushImageAsync(TestImages.Busybox(), "nodeagent-test/corrupt:1", ct);
        var layer = image.Layers[0].Descriptor.Digest;
        var stored = Path.Combine(_registry.RootDirectory, "storage", "docker", "registry", "v2", "blobs", "sha256", layer[7..9], layer[7..], "data");
        Assert.True(File.Exists(stored), $"registry blob path {stored} not found");
        var original = await File.ReadAllBytesAsync(stored, ct);
        var corrupt = (byte[])original.Clone();
        corrupt[corrupt.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(stored, corrupt, ct);

        var error = await Assert.ThrowsAsync<RpcException>(() => _runtime.Client.Images.PullImageAsync(
            new PullImageRequest { Image = new ImageSpec { Image = _registry.Reference("nodeagent-test/corrupt", "1") } }, cancellationToken: ct).ResponseAsync);
        var afterFailure = await _runtime.Client.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: ct);
        await File.WriteAllBytesAsync(stored, original, ct);
        var pulled = await _runtime.Client.Images.PullImageAsync(
            new PullImageRequest { Image = new ImageSpec { Image = _registry.Reference("nodeagent-test/corrupt", "1") } }, cancellationToken: ct);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("digest", error.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(afterFailure.Images, i => i.Id == image.Config.Digest);
        Assert.Equal(image.Config.Digest, pulled.ImageRef);
    }

    private static List<TarEntry> HostileEntries(string kind, string sentinel)
    {
        var escapeFile = "nodeagent-hostile-" + kind;
        var sentinelFromRoot = sentinel.TrimStart('/');
        return kind switch
        {
            "dotdot" => [Entry("../../../../../../../../" + sentinelFromRoot + "/evil")],
            "absolute" => [Entry(sentinel + "/evil")],
            "symlink-escape" => [Link(TarEntryType.SymbolicLink, "link", sentinel), Entry("link/evil")],
            "symlink-parent" => [Link(TarEntryType.SymbolicLink, "up", "../../../../../../../../tmp"), Entry("up/" + escapeFile)],
            "hardlink-escape" => [Link(TarEntryType.HardLink, "passwd", "../../../../../../../../etc/passwd")],
            "block-device" => [new GnuTarEntry(TarEntryType.BlockDevice, "dev/sda") { DeviceMajor = 8, DeviceMinor = 0 }],
            "char-device" => [new GnuTarEntry(TarEntryType.CharacterDevice, "dev/mem") { DeviceMajor = 1, DeviceMinor = 1 }],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static GnuTarEntry Entry(string name) => new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream("pwned\n"u8.ToArray()) };

    private static GnuTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target };
}
