using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Images;

/// <summary>
/// kubelet's image GC: every <see cref="ImageGcOptions.Period"/> it notes which images exist and which containers use
/// them, and when the image filesystem (CRI ImageFsInfo's used bytes against the filesystem's size) reaches the high
/// threshold, removes unused images least recently used first down to the low threshold. Not freeing enough is a
/// <c>FreeDiskSpaceFailed</c> warning on the Node; a collection failing twice in a row, <c>ImageGCFailed</c>.
/// </summary>
public sealed partial class ImageGarbageCollector : IAsyncDisposable
{
    private readonly CriClient _cri;
    private readonly Action<string, string> _warnNode;
    private readonly ImageGcOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ImageGarbageCollector> _logger;
    private readonly Func<string, ulong> _filesystemSize;
    private readonly Dictionary<string, ImageUsageRecord> _records = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private bool _lastFailed;

    /// <param name="warnNode">Records a Warning event (reason, message) on this Node.</param>
    /// <param name="filesystemSize">Size in bytes of the filesystem holding a path (statvfs); tests may substitute it.</param>
    public ImageGarbageCollector(CriClient cri, Action<string, string> warnNode, ImageGcOptions options, TimeProvider time, ILogger<ImageGarbageCollector> logger, Func<string, ulong>? filesystemSize = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _cri = cri;
        _warnNode = warnNode;
        _options = options;
        _time = time;
        _logger = logger;
        _filesystemSize = filesystemSize ?? (path => (ulong)new DriveInfo(path).TotalSize);
    }

    public void Start() => _loop ??= RunAsync(_stop.Token);

    /// <summary>One check: refreshes the usage records, then collects if the threshold is reached. Returns the removed image ids.</summary>
    public async Task<IReadOnlyList<string>> CollectAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var inUse = await DetectImagesAsync(cancellationToken).ConfigureAwait(false);
            var filesystem = (await _cri.Images.ImageFsInfoAsync(new ImageFsInfoRequest(), cancellationToken: cancellationToken).ConfigureAwait(false)).ImageFilesystems.FirstOrDefault()
                ?? throw new InvalidOperationException("the runtime reported no image filesystem");
            var used = filesystem.UsedBytes?.Value ?? 0;
            var capacity = _filesystemSize(filesystem.FsId.Mountpoint);
            var toFree = ImageGcPolicy.BytesToFree(used, capacity, _options);
            if (toFree == 0)
            {
                return [];
            }

            LogCollecting(_logger, used, capacity, _options.HighThresholdPercent, toFree);
            var selection = ImageGcPolicy.Select(_records.Values, inUse, toFree, _time.GetUtcNow(), _options.MinAge);
            var removed = await RemoveAsync(selection, cancellationToken).ConfigureAwait(false);
            if (selection.FreedBytes < toFree)
            {
                var message = string.Create(CultureInfo.InvariantCulture, $"Failed to garbage collect required amount of images. Attempted to free {toFree} bytes, but only found {selection.FreedBytes} bytes eligible to free.");
                _warnNode("FreeDiskSpaceFailed", message);
                throw new InvalidOperationException(message);
            }

            return removed;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// Removes every unused image old enough (kubelet's DeleteUnusedImages, the eviction manager's reclaim under disk
    /// pressure), whatever the thresholds. Returns the removed image ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteUnusedImagesAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var inUse = await DetectImagesAsync(cancellationToken).ConfigureAwait(false);
            var selection = ImageGcPolicy.Select(_records.Values, inUse, ulong.MaxValue, _time.GetUtcNow(), _options.MinAge);
            return await RemoveAsync(selection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
        _oneAtATime.Dispose();
    }

    private async Task<List<string>> RemoveAsync(ImageGcSelection selection, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var image in selection.Images)
        {
            LogRemoving(_logger, image.Id, image.Size);
            try
            {
                await _cri.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = image.Id } }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Removed by someone else meanwhile: freed all the same.
            }

            _records.Remove(image.Id);
            removed.Add(image.Id);
        }

        return removed;
    }

    /// <summary>Records new images, marks those any container (running or not) uses as used now, forgets removed ones.</summary>
    private async Task<HashSet<string>> DetectImagesAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var images = (await _cri.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: cancellationToken).ConfigureAwait(false)).Images;
        var containers = (await _cri.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: cancellationToken).ConfigureAwait(false)).Containers;
        var referenced = containers.SelectMany(c => new[] { c.ImageRef, c.Image?.Image }).Where(r => !string.IsNullOrEmpty(r)).ToHashSet(StringComparer.Ordinal);
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            var used = referenced.Contains(image.Id) || image.RepoTags.Any(referenced.Contains) || image.RepoDigests.Any(referenced.Contains);
            if (used)
            {
                inUse.Add(image.Id);
            }

            var record = _records.TryGetValue(image.Id, out var known) ? known : new ImageUsageRecord(image.Id, image.Size, now, DateTimeOffset.MinValue, image.Pinned);
            _records[image.Id] = record with { Size = image.Size, Pinned = image.Pinned, LastUsed = used ? now : record.LastUsed };
        }

        foreach (var gone in _records.Keys.Except(images.Select(i => i.Id), StringComparer.Ordinal).ToList())
        {
            _records.Remove(gone);
        }

        return inUse;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(_options.Period, _time);
        try
        {
            do
            {
                try
                {
                    await CollectAsync(cancellationToken).ConfigureAwait(false);
                    _lastFailed = false;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // The loop boundary: kubelet logs the first failure and raises an event when failures repeat.
                    LogFailed(_logger, e);
                    if (_lastFailed)
                    {
                        _warnNode("ImageGCFailed", e.Message);
                    }

                    _lastFailed = true;
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException && cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Image filesystem usage {Used} of {Capacity} bytes is at or above the {High}% threshold; freeing {ToFree} bytes")]
    private static partial void LogCollecting(ILogger logger, ulong used, ulong capacity, int high, ulong toFree);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removing unused image {ImageId} ({Size} bytes)")]
    private static partial void LogRemoving(ILogger logger, string imageId, ulong size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image garbage collection failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
