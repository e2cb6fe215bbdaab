using System.Text.Json;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images.Distribution;

namespace NodeAgent.Runtime.Images.Import;

/// <summary>
/// Serves an OCI image layout directory through the registry interface, so an import goes through
/// exactly the same verified pull path as a registry pull. Manifests are found by digest, or by
/// the tag in the index's <c>org.opencontainers.image.ref.name</c> annotation; when
/// <c>pinned</c> is given, every by-tag request answers with that entry (the importer names the
/// image independently of the layout's tag).
/// </summary>
internal sealed class OciLayoutRegistry(string layoutDirectory, OciDescriptor? pinned = null) : IRegistryClient
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    public async Task<FetchedManifest> GetManifestAsync(ImageReference reference, RegistryAuth? auth, CancellationToken cancellationToken)
    {
        var descriptor = reference.Digest is { } digest
            ? await FindByDigestAsync(digest, cancellationToken)
            : pinned ?? (await ReadIndexAsync(cancellationToken)).Manifests.FirstOrDefault(m => RefName(m) == reference.Tag)
                ?? throw new RuntimeException(RuntimeErrorKind.NotFound, $"{layoutDirectory}: no image tagged '{reference.Tag}'");
        var bytes = await File.ReadAllBytesAsync(BlobPath(descriptor.Digest), cancellationToken);
        if (Digests.Sha256(bytes) != descriptor.Digest)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"{layoutDirectory}: blob {descriptor.Digest} does not match its digest");
        }

        return new FetchedManifest(descriptor.MediaType, descriptor.Digest, bytes);
    }

    public Task<Stream> OpenBlobAsync(ImageReference reference, string digest, long offset, RegistryAuth? auth, CancellationToken cancellationToken)
    {
        var path = BlobPath(digest);
        if (!File.Exists(path))
        {
            throw new RuntimeException(RuntimeErrorKind.NotFound, $"{layoutDirectory}: blob {digest} is missing");
        }

        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        stream.Seek(offset, SeekOrigin.Begin);
        return Task.FromResult(stream);
    }

    /// <summary>Every image the layout tags, as (tag, descriptor).</summary>
    public async Task<IReadOnlyList<(string Tag, OciDescriptor Descriptor)>> TaggedAsync(CancellationToken cancellationToken)
        => [.. (await ReadIndexAsync(cancellationToken)).Manifests.Where(m => RefName(m) is not null).Select(m => (RefName(m)!, m))];

    private async Task<OciDescriptor> FindByDigestAsync(string digest, CancellationToken cancellationToken)
    {
        var listed = (await ReadIndexAsync(cancellationToken)).Manifests.FirstOrDefault(m => m.Digest == digest);
        if (listed is not null)
        {
            return listed;
        }

        // A platform manifest inside a nested index is not listed at the top; its media type is in the body.
        var bytes = await File.ReadAllBytesAsync(BlobPath(digest), cancellationToken);
        var versioned = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.OciVersioned);
        var mediaType = versioned?.MediaType ?? (versioned?.Manifests is not null ? OciMediaTypes.ImageIndex : OciMediaTypes.ImageManifest);
        return new OciDescriptor { MediaType = mediaType, Digest = digest, Size = bytes.Length };
    }

    private async Task<OciIndex> ReadIndexAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(layoutDirectory, "index.json");
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(stream, OciJsonContext.Default.OciIndex, cancellationToken)
            ?? throw new RuntimeException(RuntimeErrorKind.Invalid, $"{path} is empty");
    }

    private string BlobPath(string digest) => Path.Combine(layoutDirectory, "blobs", "sha256", Digests.Hex(digest));

    private static string? RefName(OciDescriptor descriptor)
        => descriptor.Annotations?.GetValueOrDefault(RefNameAnnotation);
}
