using NodeAgent.Runtime.Common;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images.Content;
using NodeAgent.Runtime.Images.Pull;
using NodeAgent.Runtime.Images.Store;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Images;

/// <summary>Bytes and inodes the image store uses, for CRI ImageFsInfo.</summary>
public sealed record ImageFsUsage(string Mountpoint, long UsedBytes, long InodesUsed, DateTimeOffset Timestamp);

/// <summary>
/// The image half of the runtime as the CRI server and the CLI see it: pull, find by any name,
/// list, remove with layer garbage collection, and disk usage.
/// </summary>
public sealed class ImageManager(
    ImagePuller puller,
    ImageMetadataStore metadata,
    IContentStore content,
    ISnapshotter snapshots,
    RuntimePaths paths,
    TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _removals = new(1, 1);

    public async Task<ImageRecord> PullAsync(string reference, PullOptions options, CancellationToken cancellationToken)
        => await puller.PullAsync(ParseReference(reference), options, cancellationToken);

    public IReadOnlyList<ImageRecord> List() => metadata.List();

    /// <summary>Finds an image by id (or a unique id prefix of 12+ hex digits), tag or repo digest, normalising names Docker style.</summary>
    public ImageRecord? Find(string nameOrId)
    {
        if (string.IsNullOrWhiteSpace(nameOrId))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "image reference is empty");
        }

        var hex = nameOrId.StartsWith(Digests.Sha256Prefix, StringComparison.Ordinal) ? nameOrId[Digests.Sha256Prefix.Length..] : nameOrId;
        if (hex.Length >= 12 && hex.All(char.IsAsciiHexDigitLower))
        {
            var byId = metadata.List().Where(i => i.Id[Digests.Sha256Prefix.Length..].StartsWith(hex, StringComparison.Ordinal)).ToList();
            if (byId.Count == 1)
            {
                return byId[0];
            }
        }

        if (!ImageReference.TryParse(nameOrId, out var reference))
        {
            return null;
        }

        var tag = reference.Tag is null ? null : $"{reference.Name}:{reference.Tag}";
        var digest = reference.Digest is null ? null : $"{reference.Name}@{reference.Digest}";
        return metadata.Find(i => (digest is not null && i.RepoDigests.Contains(digest)) || (digest is null && tag is not null && i.RepoTags.Contains(tag)));
    }

    /// <summary>
    /// Removes the image a name resolves to (all its names, as containerd's CRI does). Layers and
    /// blobs that another image or a container still uses stay. A missing image is not an error.
    /// </summary>
    public async Task RemoveAsync(string nameOrId, CancellationToken cancellationToken)
    {
        await _removals.WaitAsync(cancellationToken);
        try
        {
            var image = Find(nameOrId);
            if (image is null)
            {
                return;
            }

            await metadata.DeleteAsync(image.Id);
            await CollectGarbageAsync(image, cancellationToken);
        }
        finally
        {
            _removals.Release();
        }
    }

    /// <summary>The image's config (entrypoint, env, user …), read from the content store.</summary>
    public async Task<OciImageConfig?> ReadConfigAsync(ImageRecord image, CancellationToken cancellationToken)
    {
        if (await content.InfoAsync(image.Id, cancellationToken) is null)
        {
            return null;
        }

        await using var stream = await content.OpenReadAsync(image.Id, cancellationToken);
        return await System.Text.Json.JsonSerializer.DeserializeAsync(stream, OciJsonContext.Default.OciImageConfig, cancellationToken);
    }

    public async Task<ImageFsUsage> UsageAsync(CancellationToken cancellationToken)
    {
        var contentUsage = DirectoryUsage.Measure(paths.Content);
        var snapshotUsage = await snapshots.UsageAsync(cancellationToken);
        return new ImageFsUsage(paths.DataDir, contentUsage.Bytes + snapshotUsage.Bytes, contentUsage.Inodes + snapshotUsage.Inodes, time.GetUtcNow());
    }

    private async Task CollectGarbageAsync(ImageRecord removed, CancellationToken cancellationToken)
    {
        var remaining = metadata.List();
        var usedChains = remaining.SelectMany(i => i.Layers.Select(l => l.ChainId)).ToHashSet(StringComparer.Ordinal);
        usedChains.UnionWith(await snapshots.LayersInUseAsync(cancellationToken));

        // Top layer first: a layer can only go once no child layer needs it.
        foreach (var layer in removed.Layers.Reverse().Where(l => !usedChains.Contains(l.ChainId)))
        {
            try
            {
                await snapshots.RemoveLayerAsync(layer.ChainId, cancellationToken);
            }
            catch (InvalidOperationException)
            {
                // Still a parent of something in use; everything below it stays too.
                break;
            }
        }

        var usedBlobs = remaining
            .SelectMany(i => i.Layers.Select(l => l.Digest).Append(i.Id).Append(i.ManifestDigest).Concat(i.IndexDigest is null ? [] : [i.IndexDigest]))
            .ToHashSet(StringComparer.Ordinal);
        var removedBlobs = removed.Layers.Select(l => l.Digest).Append(removed.Id).Append(removed.ManifestDigest);
        if (removed.IndexDigest is not null)
        {
            removedBlobs = removedBlobs.Append(removed.IndexDigest);
        }

        foreach (var digest in removedBlobs.Where(d => !usedBlobs.Contains(d)).Distinct())
        {
            await content.DeleteAsync(digest, cancellationToken);
        }
    }

    public void Dispose() => _removals.Dispose();

    private static ImageReference ParseReference(string reference)
        => ImageReference.TryParse(reference, out var parsed)
            ? parsed
            : throw new RuntimeException(RuntimeErrorKind.Invalid, $"invalid image reference '{reference}'");
}
