using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Tests.Images;

/// <summary>The independent tools that judge our layouts: skopeo and umoci.</summary>
internal static class ImageTools
{
    public static async Task<JsonElement> SkopeoInspectAsync(string layoutDirectory, string tag, CancellationToken ct, params string[] options)
    {
        var result = await TestProcess.RunAsync(
            "/usr/bin/skopeo", ["inspect", .. options, $"oci:{layoutDirectory}:{tag}"], ct);
        result.EnsureSuccess();
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    public static async Task<JsonElement> SkopeoInspectForArchitectureAsync(string layoutDirectory, string tag, string architecture, CancellationToken ct)
    {
        var result = await TestProcess.RunAsync(
            "/usr/bin/skopeo", ["--override-arch", architecture, "inspect", $"oci:{layoutDirectory}:{tag}"], ct);
        result.EnsureSuccess();
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    /// <summary>Unpacks with umoci and returns the rootfs path.</summary>
    public static async Task<string> UmociUnpackAsync(string layoutDirectory, string tag, string bundleDirectory, CancellationToken ct)
    {
        var result = await TestProcess.RunAsync("/usr/bin/umoci", ["unpack", "--image", $"{layoutDirectory}:{tag}", bundleDirectory], ct);
        result.EnsureSuccess();
        return Path.Combine(bundleDirectory, "rootfs");
    }

    /// <summary>Lists the entries of a gzip-compressed layer tar.</summary>
    public static async Task<List<TarEntry>> ReadLayerTarAsync(ReadOnlyMemory<byte> gzipped, CancellationToken ct)
    {
        using var source = new MemoryStream(gzipped.ToArray());
        await using var gzip = new GZipStream(source, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        var entries = new List<TarEntry>();
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }
}
