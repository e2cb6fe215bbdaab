namespace NodeAgent.Controllers.Machinery;

/// <summary>
/// client-go's rate-limiting work queue: an item waiting is queued once however often it is added (dirty set); an item
/// being processed is never handed to a second worker — adding it meanwhile marks it dirty and it is queued again when
/// the first worker calls <see cref="Done"/>. Retries wait per <see cref="IRateLimiter{TItem}"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "client-go's name for it; readers of both codebases look for it.")]
public sealed class RateLimitingWorkQueue<TItem> : IDisposable
    where TItem : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<TItem> _queue = new();
    private readonly HashSet<TItem> _dirty = [];
    private readonly HashSet<TItem> _processing = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly IRateLimiter<TItem> _limiter;
    private readonly TimeProvider _time;
    private bool _shuttingDown;

    public RateLimitingWorkQueue(IRateLimiter<TItem> limiter, TimeProvider time)
    {
        _limiter = limiter;
        _time = time;
    }

    /// <summary>Items waiting to be handed out (not counting those being processed or waiting for a delay).</summary>
    public int Length
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public bool IsShuttingDown => _shutdown.IsCancellationRequested;

    public void Add(TItem item)
    {
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(item))
            {
                return;
            }

            if (_processing.Contains(item))
            {
                // Done() queues it again; a second worker must not get it now.
                return;
            }

            _queue.Enqueue(item);
        }

        _available.Release();
    }

    /// <summary>Adds the item once <paramref name="delay"/> has passed.</summary>
    public void AddAfter(TItem item, TimeSpan delay)
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }

        _ = AddLaterAsync(item, delay);
    }

    /// <summary>Adds the item after the rate limiter's delay (one more failure for it).</summary>
    public void AddRateLimited(TItem item) => AddAfter(item, _limiter.NextDelay(item));

    /// <summary>The item succeeded: its backoff starts over.</summary>
    public void Forget(TItem item) => _limiter.Forget(item);

    public int NumRequeues(TItem item) => _limiter.NumRequeues(item);

    /// <summary>Waits for the next item; returns false once the queue shuts down.</summary>
    public async Task<(bool Ok, TItem Item)> GetAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        try
        {
            await _available.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            return (false, default!);
        }

        lock (_lock)
        {
            var item = _queue.Dequeue();
            _processing.Add(item);
            _dirty.Remove(item);
            return (true, item);
        }
    }

    /// <summary>The worker finished with the item; if it was added meanwhile it is queued again.</summary>
    public void Done(TItem item)
    {
        var requeue = false;
        lock (_lock)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item) && !_shuttingDown)
            {
                _queue.Enqueue(item);
                requeue = true;
            }
        }

        if (requeue)
        {
            _available.Release();
        }
    }

    /// <summary>Stops handing out items; waiting <see cref="GetAsync"/> calls return false.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            _shuttingDown = true;
        }

        _shutdown.Cancel();
    }

    public void Dispose()
    {
        ShutDown();
        _shutdown.Dispose();
        _available.Dispose();
    }

    private async Task AddLaterAsync(TItem item, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        Add(item);
    }
}
