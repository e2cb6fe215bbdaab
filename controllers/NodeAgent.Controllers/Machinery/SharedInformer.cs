using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace NodeAgent.Controllers.Machinery;

/// <summary>Callbacks of an informer. They run on the informer's loop, one at a time: keep them cheap (enqueue a key).</summary>
public sealed record InformerHandler<T>
{
    public Action<T>? OnAdd { get; init; }

    public Action<T, T>? OnUpdate { get; init; }

    /// <summary>Called with the last state the cache knew.</summary>
    public Action<T>? OnDelete { get; init; }
}

/// <summary>
/// client-go's shared informer: lists (in pages), then watches from the list's resourceVersion with bookmarks, resumes a
/// broken watch from the last resourceVersion seen, relists on 410 Gone (the replace emits deletes for objects that
/// vanished meanwhile), and keeps an <see cref="Indexer{T}"/> that handlers and reconcilers read.
/// </summary>
public sealed partial class SharedInformer<T> : IAsyncDisposable
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly ListWatch<T> _listWatch;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _resource;
    private readonly List<InformerHandler<T>> _handlers = [];
    private readonly Lock _handlersLock = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    public SharedInformer(ListWatch<T> listWatch, string resource, TimeProvider time, ILogger logger)
    {
        _listWatch = listWatch;
        _resource = resource;
        _time = time;
        _logger = logger;
    }

    public Indexer<T> Cache { get; } = new();

    /// <summary>The resourceVersion the cache is at (the last list, event or bookmark).</summary>
    public string? LastResourceVersion { get; private set; }

    /// <summary>How many full lists ran (1 after the start; more after 410 Gone).</summary>
    public int ListCount { get; private set; }

    public bool HasSynced => _synced.Task.IsCompletedSuccessfully;

    /// <summary>Longest wait between retries of a failing list or watch.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Registers callbacks; when the cache is already filled, the existing objects are replayed as adds.</summary>
    public void AddHandler(InformerHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersLock)
        {
            _handlers.Add(handler);
            if (HasSynced)
            {
                foreach (var item in Cache.List())
                {
                    handler.OnAdd?.Invoke(item);
                }
            }
        }
    }

    public void Start() => _run ??= RunAsync(_stop.Token);

    /// <summary>Completes once the first list is in the cache.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (LastResourceVersion is null)
                {
                    await ListAndReplaceAsync(cancellationToken).ConfigureAwait(false);
                }

                var gone = await WatchAsync(LastResourceVersion!, cancellationToken).ConfigureAwait(false);
                if (gone)
                {
                    LogExpired(_logger, _resource, LastResourceVersion);
                    LastResourceVersion = null;
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ApiErrors.IsGone(e))
            {
                LogExpired(_logger, _resource, LastResourceVersion);
                LastResourceVersion = null;
            }
            catch (Exception e)
            {
                // The loop boundary: the API may be restarting. Back off and resume from the last resourceVersion.
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures, 20))));
                LogRetry(_logger, _resource, delay, e);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListAndReplaceAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? next = null;
        string? resourceVersion;
        do
        {
            var page = await _listWatch.List(next, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            resourceVersion = page.ResourceVersion;
            next = page.Continue;
        }
        while (next is not null);

        var seen = new HashSet<ObjectKey>();
        foreach (var item in items)
        {
            seen.Add(ObjectKey.For(item));
            Apply(WatchEventType.Modified, item);
        }

        foreach (var key in Cache.Keys().Where(k => !seen.Contains(k)))
        {
            if (Cache.Remove(key) is { } old)
            {
                Dispatch(h => h.OnDelete?.Invoke(old));
            }
        }

        LastResourceVersion = resourceVersion ?? string.Empty;
        ListCount++;
        LogListed(_logger, _resource, items.Count, LastResourceVersion);
        _synced.TrySetResult();
    }

    /// <returns>True when the server said the resourceVersion is too old (relist).</returns>
    private async Task<bool> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        Exception? error = null;
        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // An ERROR event arrives through onError (the client turns its Status into a KubernetesException); the server
        // closes the stream after it, and so do we.
        void OnError(Exception e)
        {
            error ??= e;
            watchStop.Cancel();
        }

        try
        {
            await foreach (var (type, item) in _listWatch.Watch(resourceVersion, OnError, watchStop.Token).ConfigureAwait(false))
            {
                if (item?.Metadata?.ResourceVersion is { Length: > 0 } rv)
                {
                    LastResourceVersion = rv;
                }

                if (type != WatchEventType.Bookmark && item is not null)
                {
                    Apply(type, item);
                }
            }
        }
        catch (OperationCanceledException) when (error is not null && !cancellationToken.IsCancellationRequested)
        {
            // Stopped by an ERROR event.
        }

        if (error is not null)
        {
            if (ApiErrors.IsGone(error))
            {
                return true;
            }

            throw new InvalidOperationException($"watch of {_resource} failed: {error.Message}", error);
        }

        return false;
    }

    private void Apply(WatchEventType type, T item)
    {
        if (type == WatchEventType.Deleted)
        {
            Cache.Remove(ObjectKey.For(item));
            Dispatch(h => h.OnDelete?.Invoke(item));
            return;
        }

        var previous = Cache.Upsert(item);
        if (previous is null)
        {
            Dispatch(h => h.OnAdd?.Invoke(item));
        }
        else if (previous.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
        {
            Dispatch(h => h.OnUpdate?.Invoke(previous, item));
        }
    }

    private void Dispatch(Action<InformerHandler<T>> call)
    {
        lock (_handlersLock)
        {
            foreach (var handler in _handlers)
            {
                try
                {
                    call(handler);
                }
                catch (Exception e)
                {
                    // A handler's bug must not stop the informer.
                    LogHandlerFailed(_logger, _resource, e);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Count} {Resource} at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource} expired at resourceVersion {ResourceVersion}; relisting")]
    private static partial void LogExpired(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List/watch of {Resource} failed; retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, string resource, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "An event handler of the {Resource} informer failed")]
    private static partial void LogHandlerFailed(ILogger logger, string resource, Exception exception);
}
