using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace NodeAgent.Runtime.Tests.Images.Store;

/// <summary>
/// Writes an OCI layout whose layers are arbitrary tar entries — including hostile ones the
/// harness's safe image builder refuses to produce — so the runtime's defences can be tested end to end.
/// </summary>
internal static class RawImageLayout
{
    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static async Task WriteAsync(string directory, string tag, IReadOnlyList<IReadOnlyList<TarEntry>> layers, CancellationToken ct)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        var layerDescriptors = new List<object>();
        var diffIds = new List<string>();
        foreach (var entries in layers)
        {
            using var tar = new MemoryStream();
            await using (var writer = new TarWriter(tar, TarEntryFormat.Gnu, leaveOpen: true))
            {
                foreach (var entry in entries)
                {
                    await writer.WriteEntryAsync(entry, ct);
                }
            }

            diffIds.Add(Sha256(tar.ToArray()));
            using var compressed = new MemoryStream();
            await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(tar.ToArray(), ct);
            }

            layerDescriptors.Add(await WriteBlobAsync(blobs, "application/vnd.oci.image.layer.v1.tar+gzip", compressed.ToArray(), ct));
        }

        var config = JsonSerializer.SerializeToUtf8Bytes(new
        {
            architecture = "amd64",
            os = "linux",
            config = new { Cmd = new[] { "/bin/sh" } },
            rootfs = new { type = "layers", diff_ids = diffIds },
        });
        var configDescriptor = await WriteBlobAsync(blobs, "application/vnd.oci.image.config.v1+json", config, ct);
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = "application/vnd.oci.image.manifest.v1+json",
            config = configDescriptor,
            layers = layerDescriptors,
        }, CamelCase);
        var manifestDescriptor = await WriteBlobAsync(blobs, "application/vnd.oci.image.manifest.v1+json", manifest, ct);
        var index = new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["mediaType"] = manifestDescriptor.MediaType,
                    ["digest"] = manifestDescriptor.Digest,
                    ["size"] = manifestDescriptor.Size,
                    ["annotations"] = new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = tag },
                },
            },
        };
        await File.WriteAllTextAsync(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", ct);
        await File.WriteAllBytesAsync(Path.Combine(directory, "index.json"), JsonSerializer.SerializeToUtf8Bytes(index), ct);
    }

    private static async Task<Descriptor> WriteBlobAsync(string blobs, string mediaType, byte[] content, CancellationToken ct)
    {
        var digest = Sha256(content);
        await File.WriteAllBytesAsync(Path.Combine(blobs, digest[7..]), content, ct);
        return new Descriptor(mediaType, digest, content.Length);
    }

    private static string Sha256(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private sealed record Descriptor(string MediaType, string Digest, long Size);
}
