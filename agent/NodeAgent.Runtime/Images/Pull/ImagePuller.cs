using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NodeAgent.Runtime.Common;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images.Content;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Runtime.Images.Store;
using NodeAgent.Runtime.Images.Unpack;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Images.Pull;

/// <summary>
/// Pulls an image: manifest (platform chosen from an index), config, layers into the content
/// store, each layer unpacked once into its snapshot, and only then the image record. A pull
/// killed halfway leaves verified blobs and whole snapshots that the next pull reuses, never a
/// half image. Concurrent pulls of one reference, and of one layer, are done once.
/// </summary>
public sealed partial class ImagePuller(
    IRegistryClient registry,
    IContentStore content,
    ILayerUnpacker unpacker,
    ISnapshotter snapshots,
    ImageMetadataStore metadata,
    TimeProvider time,
    ILogger<ImagePuller> logger)
{
    // Layers downloading (and, streamed, unpacking) at once; containerd's default is also 3.
    private const int ParallelDownloads = 3;
    private const int BlobAttempts = 4;
    // Socket reads rarely return more; a pooled 128 KiB buffer keeps 3 parallel downloads off the large object heap.
    private const int CopyBufferBytes = 128 * 1024;

    private readonly KeyedSingleFlight<ImageRecord> _pulls = new();
    private readonly KeyedSingleFlight<bool> _blobs = new();
    private readonly KeyedSingleFlight<bool> _layers = new();
    private readonly StreamingLayerFetch _streaming = new(registry, content, unpacker);

    public Task<ImageRecord> PullAsync(ImageReference reference, PullOptions options, CancellationToken cancellationToken)
        => _pulls.RunAsync(reference.ToString(), () => PullCoreAsync(reference, options), cancellationToken);

    private async Task<ImageRecord> PullCoreAsync(ImageReference reference, PullOptions options)
    {
        // Shared by every waiting caller: bounded by the registry client's own timeouts, not by one caller.
        var ct = CancellationToken.None;
        var started = time.GetTimestamp();
        var top = await registry.GetManifestAsync(reference, options.Auth, ct);
        var manifestBlob = top;
        string? indexDigest = null;
        if (OciMediaTypes.IsIndex(EffectiveMediaType(top)))
        {
            indexDigest = top.Digest;
            var index = Parse(reference, "image index", () => JsonSerializer.Deserialize(top.Content.Span, OciJsonContext.Default.OciIndex));
            var chosen = PlatformMatcher.Select(index, options.Platform)
                ?? throw new RuntimeException(
                    RuntimeErrorKind.NotFound,
                    $"image {reference} has no manifest for {options.Platform} (it has: {string.Join(", ", index.Manifests.Select(m => m.Platform?.ToString() ?? "unknown"))})");
            manifestBlob = await registry.GetManifestAsync(reference with { Tag = null, Digest = chosen.Digest }, options.Auth, ct);
        }

        var manifest = Parse(reference, "manifest", () => JsonSerializer.Deserialize(manifestBlob.Content.Span, OciJsonContext.Default.OciManifest));
        var progress = new PullProgressTracker(reference.ToString(), manifest.Layers.Sum(l => l.Size) + manifest.Config.Size, options.Progress);

        await StoreDocumentAsync(top, ct);
        if (!ReferenceEquals(top, manifestBlob))
        {
            await StoreDocumentAsync(manifestBlob, ct);
        }

        await FetchBlobAsync(reference, manifest.Config, options.Auth, progress, ct);
        var config = await ReadConfigAsync(reference, manifest.Config.Digest, ct);
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
        {
            throw Invalid(reference, $"config lists {config.RootFs.DiffIds.Count} diff IDs for {manifest.Layers.Count} layers");
        }

        var layers = await PullLayersAsync(reference, manifest, config, options.Auth, progress, ct);
        var record = MergeNames(new ImageRecord
        {
            Id = manifest.Config.Digest,
            ManifestDigest = manifestBlob.Digest,
            IndexDigest = indexDigest,
            RepoTags = reference.Tag is null ? [] : [$"{reference.Name}:{reference.Tag}"],
            RepoDigests = [$"{reference.Name}@{top.Digest}"],
            Layers = layers,
            Size = manifestBlob.Content.Length + manifest.Config.Size + manifest.Layers.Sum(l => l.Size),
            Platform = new OciPlatform { Os = config.Os, Architecture = config.Architecture, Variant = config.Variant },
            PulledAt = time.GetUtcNow(),
        });
        await metadata.PutAsync(record, ct);
        var elapsed = time.GetElapsedTime(started);
        LogPulled(logger, reference, record.Id, record.Size, elapsed);

        return record;
    }

    /// <summary>
    /// Every missing layer downloads and unpacks at once (bounded), each straight from the network
    /// into its staging directory; a layer is published only after its parent, so the chain on disk
    /// is always whole.
    /// </summary>
    private async Task<IReadOnlyList<ImageLayer>> PullLayersAsync(
        ImageReference reference, OciManifest manifest, OciImageConfig config, RegistryAuth? auth, PullProgressTracker progress, CancellationToken ct)
    {
        var diffIds = config.RootFs.DiffIds;
        var chainIds = Digests.ChainIds(diffIds);
        using var slots = new SemaphoreSlim(ParallelDownloads);
        var commits = new List<Task>(manifest.Layers.Count);
        for (var i = 0; i < manifest.Layers.Count; i++)
        {
            // Slots are granted in layer order and a layer only waits on earlier ones, so this cannot deadlock.
            var spec = new LayerCommit(reference, manifest.Layers[i], diffIds[i], chainIds[i], i == 0 ? null : chainIds[i - 1], i == 0 ? Task.CompletedTask : commits[i - 1]);
            commits.Add(snapshots.LayerExists(spec.ChainId)
                ? Task.CompletedTask
                : ThrottledAsync(slots, () => CommitLayerAsync(spec, auth, progress, ct), ct));
        }

        // Reports the lowest failed layer: its children fail with the same exception.
        await Task.WhenAll(commits);
        return [.. manifest.Layers.Select((layer, i) => new ImageLayer(layer.Digest, layer.MediaType, layer.Size, diffIds[i], chainIds[i]))];
    }

    private Task<bool> CommitLayerAsync(LayerCommit layer, RegistryAuth? auth, PullProgressTracker progress, CancellationToken ct)
        => _layers.RunAsync(layer.ChainId, async () =>
        {
            if (snapshots.LayerExists(layer.ChainId))
            {
                return true;
            }

            try
            {
                await snapshots.CommitLayerAsync(layer.ChainId, layer.ParentChainId, (directory, token) => FillAsync(layer, directory, StreamOrReadAsync, token), ct);
            }
            catch (LayerStreamBrokenException e)
            {
                // The staging dir is gone with the exception; the resumable path keeps what the ingest holds.
                LogStreamFallback(logger, layer.Blob.Digest, e.Message);
                await FetchBlobAsync(layer.Reference, layer.Blob, auth, progress, ct);
                await snapshots.CommitLayerAsync(layer.ChainId, layer.ParentChainId, (directory, token) => FillAsync(layer, directory, ReadStoredAsync, token), ct);
            }

            return true;

            async Task<UnpackResult> StreamOrReadAsync(string directory, CancellationToken token)
                => await content.InfoAsync(layer.Blob.Digest, token) is not null
                    ? await ReadStoredAsync(directory, token)
                    : await _streaming.RunAsync(layer.Reference, layer.Blob, auth, directory, progress, token);

            async Task<UnpackResult> ReadStoredAsync(string directory, CancellationToken token)
            {
                await using var stream = await content.OpenReadAsync(layer.Blob.Digest, token);
                return await unpacker.UnpackAsync(stream, LayerMediaTypes.CompressionOf(layer.Blob.MediaType), directory, token);
            }
        }, ct);

    /// <summary>Unpacks, checks the diff ID, then waits for the parent: the snapshotter publishes when this returns.</summary>
    private static async Task FillAsync(LayerCommit layer, string directory, Func<string, CancellationToken, Task<UnpackResult>> unpack, CancellationToken ct)
    {
        var unpacked = await unpack(directory, ct);
        if (unpacked.DiffId != layer.DiffId)
        {
            throw Invalid(layer.Reference, $"layer {layer.Blob.Digest} unpacks to {unpacked.DiffId}, but the config says {layer.DiffId}");
        }

        await layer.Parent;
    }

    private Task<bool> FetchBlobAsync(ImageReference reference, OciDescriptor blob, RegistryAuth? auth, PullProgressTracker progress, CancellationToken ct)
        => _blobs.RunAsync(blob.Digest, async () =>
        {
            if (await content.InfoAsync(blob.Digest, ct) is not null)
            {
                progress.Add(blob.Size);
                return true;
            }

            for (var attempt = 1; ; attempt++)
            {
                await using var writer = await content.OpenWriterAsync(blob.Digest, blob.Size, ct);
                progress.Add(writer.Offset);
                try
                {
                    await using var source = await registry.OpenBlobAsync(reference, blob.Digest, writer.Offset, auth, ct);
                    await CopyAsync(source, writer, blob, progress, ct);
                    await writer.CommitAsync(ct);
                    return true;
                }
                catch (ContentDigestMismatchException e)
                {
                    throw new RuntimeException(RuntimeErrorKind.Invalid, $"pulling {reference}: blob {blob.Digest}: {e.Message}", e);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    if (attempt >= BlobAttempts)
                    {
                        throw new RuntimeException(
                            RuntimeErrorKind.Unavailable, $"pulling {reference}: blob {blob.Digest} broke off {attempt} times, last: {e.Message}", e);
                    }

                    // The connection broke mid-blob: resume from what the ingest already holds.
                    progress.Add(-writer.Offset);
                    LogBlobRetry(logger, blob.Digest, attempt, e.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time, ct);
                }
            }
        }, ct);

    private static async Task CopyAsync(Stream source, IContentWriter writer, OciDescriptor blob, PullProgressTracker progress, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                if (writer.Offset + read > blob.Size)
                {
                    throw new ContentDigestMismatchException($"registry sent more than the {blob.Size} bytes the manifest declares");
                }

                await writer.WriteAsync(buffer.AsMemory(0, read), ct);
                progress.Add(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task StoreDocumentAsync(FetchedManifest document, CancellationToken ct)
    {
        if (await content.InfoAsync(document.Digest, ct) is not null)
        {
            return;
        }

        await using var writer = await content.OpenWriterAsync(document.Digest, document.Content.Length, ct);
        if (writer.Offset > 0)
        {
            await writer.AbortAsync(ct);
            await using var fresh = await content.OpenWriterAsync(document.Digest, document.Content.Length, ct);
            await fresh.WriteAsync(document.Content, ct);
            await fresh.CommitAsync(ct);
            return;
        }

        await writer.WriteAsync(document.Content, ct);
        await writer.CommitAsync(ct);
    }

    private async Task<OciImageConfig> ReadConfigAsync(ImageReference reference, string digest, CancellationToken ct)
    {
        var bytes = await ReadAllAsync(digest, ct);
        return Parse(reference, "image config", () => JsonSerializer.Deserialize(bytes, OciJsonContext.Default.OciImageConfig));
    }

    private ImageRecord MergeNames(ImageRecord pulled)
    {
        var existing = metadata.Get(pulled.Id);
        return existing is null
            ? pulled
            : pulled with
            {
                RepoTags = [.. existing.RepoTags.Union(pulled.RepoTags, StringComparer.Ordinal)],
                RepoDigests = [.. existing.RepoDigests.Union(pulled.RepoDigests, StringComparer.Ordinal)],
                Pinned = existing.Pinned,
            };
    }

    /// <summary>Docker v2 manifests may omit mediaType in the body; the registry's Content-Type is authoritative then.</summary>
    private static string EffectiveMediaType(FetchedManifest manifest)
    {
        if (OciMediaTypes.IsIndex(manifest.MediaType) || OciMediaTypes.IsManifest(manifest.MediaType))
        {
            return manifest.MediaType;
        }

        var versioned = JsonSerializer.Deserialize(manifest.Content.Span, OciJsonContext.Default.OciVersioned);
        return versioned?.MediaType ?? (versioned?.Manifests is not null ? OciMediaTypes.ImageIndex : OciMediaTypes.ImageManifest);
    }

    private static async Task ThrottledAsync(SemaphoreSlim gate, Func<Task> action, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            await action();
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<byte[]> ReadAllAsync(string digest, CancellationToken ct)
    {
        await using var stream = await content.OpenReadAsync(digest, ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>Registries are untrusted: malformed JSON is an invalid image, not an internal error.</summary>
    private static T Parse<T>(ImageReference reference, string what, Func<T?> parse)
        where T : class
    {
        try
        {
            return parse() ?? throw Invalid(reference, $"empty {what}");
        }
        catch (JsonException e)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"pulling {reference}: malformed {what}: {e.Message}", e);
        }
    }

    private static RuntimeException Invalid(ImageReference reference, string why)
        => new(RuntimeErrorKind.Invalid, $"pulling {reference}: {why}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled {Reference} as {ImageId} ({Bytes} bytes) in {Elapsed}")]
    private static partial void LogPulled(ILogger logger, ImageReference reference, string imageId, long bytes, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Layer {Digest} could not be streamed ({Reason}); downloading it resumably, then unpacking")]
    private static partial void LogStreamFallback(ILogger logger, string digest, string reason);

    /// <summary>One layer to commit, with the task that publishes its parent.</summary>
    private sealed record LayerCommit(ImageReference Reference, OciDescriptor Blob, string DiffId, string ChainId, string? ParentChainId, Task Parent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob {Digest} broke off (attempt {Attempt}): {Reason}; resuming")]
    private static partial void LogBlobRetry(ILogger logger, string digest, int attempt, string reason);
}
