using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Images.Import;

/// <summary>
/// Turns what a user hands to <c>nodeagent images import</c> into an OCI layout directory:
/// a layout directory as is; an oci-archive (a tar of a layout) or a <c>docker save</c> tarball
/// extracted (the BCL refuses entries that would land outside the target) and, for the legacy
/// docker format, converted.
/// </summary>
internal static class ImageArchive
{
    public static async Task<string> ToLayoutAsync(string path, string scratchDirectory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            return File.Exists(Path.Combine(path, "oci-layout"))
                ? path
                : throw new RuntimeException(RuntimeErrorKind.Invalid, $"{path}: a directory to import must be an OCI image layout (no oci-layout file)");
        }

        if (!File.Exists(path))
        {
            throw new RuntimeException(RuntimeErrorKind.NotFound, $"{path}: no such file or directory");
        }

        var extracted = Path.Combine(scratchDirectory, "extracted");
        Directory.CreateDirectory(extracted);
        try
        {
            await using var file = File.OpenRead(path);
            await using var archive = IsGzip(file) ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : (Stream)file;
            await TarFile.ExtractToDirectoryAsync(archive, extracted, overwriteFiles: false, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException && e is not FileNotFoundException)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"{path}: not a readable tar archive: {e.Message}", e);
        }

        if (File.Exists(Path.Combine(extracted, "oci-layout")) && File.Exists(Path.Combine(extracted, "index.json")))
        {
            return extracted;
        }

        if (File.Exists(Path.Combine(extracted, "manifest.json")))
        {
            return await DockerSaveConverter.ConvertAsync(extracted, Path.Combine(scratchDirectory, "layout"), cancellationToken);
        }

        throw new RuntimeException(RuntimeErrorKind.Invalid, $"{path}: neither an OCI archive (oci-layout, index.json) nor a docker save tarball (manifest.json)");
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var read = file.Read(magic);
        file.Seek(0, SeekOrigin.Begin);
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}

/// <summary>Legacy <c>docker save</c> (manifest.json + config + layer tars) → OCI layout with uncompressed layers.</summary>
internal static class DockerSaveConverter
{
    public static async Task<string> ConvertAsync(string extracted, string layout, CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(extracted, "manifest.json");
        var entries = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(manifestPath, cancellationToken), DockerSaveJsonContext.Default.ListDockerSaveEntry)
            ?? throw new RuntimeException(RuntimeErrorKind.Invalid, $"{manifestPath} is empty");
        var blobs = Path.Combine(layout, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        var index = new List<OciDescriptor>();
        foreach (var entry in entries)
        {
            var config = await AddBlobAsync(extracted, entry.Config, blobs, OciMediaTypes.ImageConfig, cancellationToken);
            var layers = new List<OciDescriptor>();
            foreach (var layer in entry.Layers)
            {
                layers.Add(await AddBlobAsync(extracted, layer, blobs, OciMediaTypes.Layer, cancellationToken));
            }

            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(
                new OciManifest { MediaType = OciMediaTypes.ImageManifest, Config = config, Layers = layers },
                OciJsonContext.Default.OciManifest);
            var manifestDigest = Digests.Sha256(manifestBytes);
            await File.WriteAllBytesAsync(Path.Combine(blobs, Digests.Hex(manifestDigest)), manifestBytes, cancellationToken);
            foreach (var tag in entry.RepoTags ?? [])
            {
                index.Add(new OciDescriptor
                {
                    MediaType = OciMediaTypes.ImageManifest,
                    Digest = manifestDigest,
                    Size = manifestBytes.Length,
                    Annotations = new Dictionary<string, string> { [OciLayoutRegistry.RefNameAnnotation] = tag },
                });
            }
        }

        await File.WriteAllTextAsync(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", cancellationToken);
        await File.WriteAllBytesAsync(
            Path.Combine(layout, "index.json"),
            JsonSerializer.SerializeToUtf8Bytes(new OciIndex { MediaType = OciMediaTypes.ImageIndex, Manifests = index }, OciJsonContext.Default.OciIndex),
            cancellationToken);
        return layout;
    }

    private static async Task<OciDescriptor> AddBlobAsync(string root, string relative, string blobs, string mediaType, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(Path.Combine(root, relative));
        if (!source.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(source))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"docker save manifest names '{relative}', which is not a file in the archive");
        }

        // docker save links duplicate layers; a link must not lead out of the archive.
        if (new FileInfo(source).ResolveLinkTarget(returnFinalTarget: true) is { } linkTarget
            && !linkTarget.FullName.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"docker save entry '{relative}' links outside the archive");
        }

        string digest;
        await using (var stream = File.OpenRead(source))
        {
            digest = Digests.Sha256Prefix + Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken));
        }

        var target = Path.Combine(blobs, Digests.Hex(digest));
        if (!File.Exists(target))
        {
            File.Copy(source, target);
        }

        return new OciDescriptor { MediaType = mediaType, Digest = digest, Size = new FileInfo(target).Length };
    }
}

internal sealed record DockerSaveEntry(
    [property: JsonPropertyName("Config")] string Config,
    [property: JsonPropertyName("RepoTags")] IReadOnlyList<string>? RepoTags,
    [property: JsonPropertyName("Layers")] IReadOnlyList<string> Layers);

[JsonSerializable(typeof(List<DockerSaveEntry>))]
internal sealed partial class DockerSaveJsonContext : JsonSerializerContext;
