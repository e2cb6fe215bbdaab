using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Runtime.Tests.Images.Import;

/// <summary><c>nodeagent images import</c> as a user runs it: a machine without a registry can still get images.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private static readonly string NodeAgentDll = Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");
    private readonly TempDirectory _dir = new(TestIds.NewPrefix());

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Imports_an_oci_layout_directory()
    {
        using var cts = TestDeadline.Seconds(60);
        var (layout, image) = await WriteLayoutAsync(cts.Token);

        var import = await NodeAgentAsync(cts.Token, "images", "import", layout, "--name", "example.com/tools/busybox:1.0");
        var list = await NodeAgentAsync(cts.Token, "images", "ls");

        Assert.Contains(image.Config.Digest, import.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"example\.com/tools/busybox\s+1\.0\s+" + image.Config.Digest[7..20], list.StandardOutput);
    }

    [Fact]
    public async Task Imports_an_oci_archive_under_its_layout_tag()
    {
        using var cts = TestDeadline.Seconds(60);
        var (layout, image) = await WriteLayoutAsync(cts.Token);
        var archive = _dir.Combine("busybox.oci.tar");
        await TarFile.CreateFromDirectoryAsync(layout, archive, includeBaseDirectory: false, cts.Token);

        await NodeAgentAsync(cts.Token, "images", "import", archive);
        var list = await NodeAgentAsync(cts.Token, "images", "ls");

        // A bare layout tag becomes a tag of import.local/<archive name>.
        Assert.Matches(@"import\.local/busybox\.oci\s+" + TestImages.BusyboxTag + @"\s+" + image.Config.Digest[7..20], list.StandardOutput);
    }

    [Fact]
    public async Task Imports_a_docker_save_tarball_with_its_repo_tags()
    {
        using var cts = TestDeadline.Seconds(60);
        var (layout, image) = await WriteLayoutAsync(cts.Token);
        var tarball = await WriteDockerSaveAsync(layout, image, "busybox:saved", cts.Token);

        var import = await NodeAgentAsync(cts.Token, "images", "import", tarball);
        var list = await NodeAgentAsync(cts.Token, "images", "ls");

        Assert.Contains("docker.io/library/busybox:saved", import.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"docker\.io/library/busybox\s+saved\s+", list.StandardOutput);
    }

    [Fact]
    public async Task Garbage_is_refused_with_a_clear_message()
    {
        using var cts = TestDeadline.Seconds(60);
        var garbage = _dir.Combine("garbage.tar");
        await File.WriteAllTextAsync(garbage, "this is not a tar archive", cts.Token);

        var result = await RunAsync(cts.Token, "images", "import", garbage);

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("nodeagent images import: " + garbage, result.StandardError, StringComparison.Ordinal);
    }

    private async Task<(string Layout, BuiltImage Image)> WriteLayoutAsync(CancellationToken ct)
    {
        var layout = _dir.Combine("layout");
        Directory.CreateDirectory(layout);
        var image = await new OciLayoutWriter(layout).AddImageAsync(TestImages.Busybox(), ct);
        return (layout, image);
    }

    /// <summary>The legacy docker save format: manifest.json, the config, and uncompressed layer tars.</summary>
    private async Task<string> WriteDockerSaveAsync(string layout, BuiltImage image, string repoTag, CancellationToken ct)
    {
        var root = _dir.Combine("docker-save");
        Directory.CreateDirectory(root);
        var blob = (string digest) => Path.Combine(layout, "blobs", "sha256", digest[7..]);
        File.Copy(blob(image.Config.Digest), Path.Combine(root, image.Config.Digest[7..] + ".json"));
        var layers = new List<string>();
        foreach (var layer in image.Layers)
        {
            var name = layer.DiffId[7..] + "/layer.tar";
            Directory.CreateDirectory(Path.Combine(root, layer.DiffId[7..]));
            await using var gz = new GZipStream(File.OpenRead(blob(layer.Descriptor.Digest)), CompressionMode.Decompress);
            await using var tar = File.Create(Path.Combine(root, name));
            await gz.CopyToAsync(tar, ct);
            layers.Add(name);
        }

        var manifest = new[] { new Dictionary<string, object> { ["Config"] = image.Config.Digest[7..] + ".json", ["RepoTags"] = new[] { repoTag }, ["Layers"] = layers } };
        await File.WriteAllTextAsync(Path.Combine(root, "manifest.json"), JsonSerializer.Serialize(manifest), ct);
        var tarball = _dir.Combine("saved.tar");
        await TarFile.CreateFromDirectoryAsync(root, tarball, includeBaseDirectory: false, ct);
        return tarball;
    }

    private async Task<ProcessResult> NodeAgentAsync(CancellationToken ct, params string[] args)
        => (await RunAsync(ct, args)).EnsureSuccess();

    /// <summary>Private data and run dirs, and an empty config file so nothing of the host leaks in.</summary>
    private async Task<ProcessResult> RunAsync(CancellationToken ct, params string[] args)
    {
        var config = _dir.Combine("config.yaml");
        if (!File.Exists(config))
        {
            await File.WriteAllTextAsync(config, string.Empty, ct);
        }

        return await TestProcess.RunAsync(
            "dotnet",
            ["exec", NodeAgentDll, .. args, "--data-dir", _dir.Combine("data"), "--run-dir", _dir.Combine("run")],
            ct,
            new Dictionary<string, string> { ["NODEAGENT_CONFIG"] = config });
    }
}
