using NodeAgent.Testing.Images;

namespace NodeAgent.Testing.Tests.Images;

/// <summary>Recomputes every blob's digest and follows every descriptor from index.json.</summary>
internal static class LayoutVerifier
{
    public static async Task<int> VerifyAsync(string layoutDirectory, CancellationToken ct)
    {
        var blobs = Directory.GetFiles(Path.Combine(layoutDirectory, "blobs", "sha256"));
        Assert.NotEmpty(blobs);
        foreach (var blob in blobs)
        {
            await using var stream = File.OpenRead(blob);
            Assert.Equal("sha256:" + Path.GetFileName(blob), await Digests.Sha256Async(stream, ct));
        }

        var layout = new OciLayoutWriter(layoutDirectory);
        var referenced = new HashSet<string>();
        foreach (var entry in (await layout.ReadIndexAsync(ct)).Manifests)
        {
            Assert.NotNull(entry.RefName);
            await VisitAsync(layout, entry, referenced, ct);
        }

        Assert.Equal(blobs.Length, referenced.Count);
        return referenced.Count;
    }

    private static async Task VisitAsync(OciLayoutWriter layout, OciDescriptor descriptor, HashSet<string> seen, CancellationToken ct)
    {
        var path = layout.BlobPath(descriptor.Digest);
        Assert.True(File.Exists(path), $"blob {descriptor.Digest} ({descriptor.MediaType}) is missing");
        Assert.Equal(descriptor.Size, new FileInfo(path).Length);
        seen.Add(descriptor.Digest);
        switch (descriptor.MediaType)
        {
            case OciMediaTypes.ImageIndex:
                foreach (var child in OciJson.Deserialize<OciIndex>(await File.ReadAllBytesAsync(path, ct)).Manifests)
                {
                    await VisitAsync(layout, child, seen, ct);
                }

                break;
            case OciMediaTypes.ImageManifest:
                var manifest = OciJson.Deserialize<OciManifest>(await File.ReadAllBytesAsync(path, ct));
                Assert.Equal(OciMediaTypes.ImageConfig, manifest.Config.MediaType);
                await VisitAsync(layout, manifest.Config, seen, ct);
                foreach (var layer in manifest.Layers)
                {
                    Assert.Equal(OciMediaTypes.LayerGzip, layer.MediaType);
                    await VisitAsync(layout, layer, seen, ct);
                }

                break;
        }
    }
}
