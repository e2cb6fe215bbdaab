using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry;

/// <summary>
/// What the create path needs to know about each namespace (does it exist, is it terminating), fed by a list and a
/// watch of <c>/registry/namespaces/</c> as upstream's NamespaceLifecycle admission is fed by an informer. It saves
/// the storage read a create would otherwise make for its namespace.
/// </summary>
/// <remarks>
/// Only a hit is trusted: a name the cache has not seen, a deleted one, or any name while the watch is down is a
/// miss, and the caller reads the store (so a namespace created a moment ago is never refused). The API server's
/// own writes to namespaces are recorded here as soon as the store acknowledges them (<see cref="Observe"/>,
/// <see cref="ObserveRemoved"/>), so a namespace this server has just marked terminating or deleted is never seen
/// as active — upstream covers that window with a live lookup for a while after a namespace delete. Entries move
/// only forward in revision, and a value at or below the revision the watch has delivered is news only if the cache
/// holds that name: otherwise the watch has since seen it deleted (deleted names are kept until the watch has passed
/// their revision), so a slow read cannot bring a deleted namespace back.
/// </remarks>
internal sealed partial class NamespaceCache : IAsyncDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly IRevisionedStore _store;
    private readonly string _prefix;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private bool _synced;
    private long _watchRevision;
    private Task? _loop;

    public NamespaceCache(IRevisionedStore store, string prefix, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _store = store;
        _prefix = prefix;
        _time = time;
        _logger = loggerFactory.CreateLogger<NamespaceCache>();
    }

    /// <summary>Lists the namespaces, then keeps watching them in the background until disposed.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("the namespace cache is already started");
        }

        var revision = await ListAsync(ct).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(revision, _stop.Token), CancellationToken.None);
    }

    /// <summary>
    /// True with the namespace's state when the cache holds it as live and the watch is running; false means "ask the
    /// store".
    /// </summary>
    public bool TryGet(string name, out bool terminating)
    {
        lock (_lock)
        {
            if (_synced && _entries.TryGetValue(name, out var entry) && !entry.Deleted)
            {
                terminating = entry.Terminating;
                return true;
            }
        }

        terminating = false;
        return false;
    }

    /// <summary>Records a namespace as the store holds it now (a write acknowledged or a read answered).</summary>
    public void Observe(KeyValue kv)
    {
        ArgumentNullException.ThrowIfNull(kv);
        if (NameOf(kv.Key) is { } name)
        {
            Set(name, new Entry(kv.ModRevision, IsTerminating(kv), Deleted: false));
        }
    }

    /// <summary>Records that the namespace's key was deleted at <paramref name="revision"/>.</summary>
    public void ObserveRemoved(string key, long revision)
    {
        if (NameOf(key) is { } name)
        {
            Set(name, new Entry(revision, Terminating: false, Deleted: true));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>A phase of Terminating or a deletionTimestamp: either way no new content (upstream checks the phase; ours sets both).</summary>
    internal static bool IsTerminating(JsonObject ns) =>
        (ns["status"] as JsonObject)?.GetString("phase") == "Terminating" || ns.IsDeleting();

    private static bool IsTerminating(KeyValue kv) => IsTerminating(StoredObjects.Decode(kv));

    private async Task RunAsync(long revision, CancellationToken ct)
    {
        var backoff = MinBackoff;
        while (true)
        {
            try
            {
                if (revision == 0)
                {
                    revision = await ListAsync(ct).ConfigureAwait(false);
                    LogResynced(_logger);
                }

                await foreach (var batch in _store.WatchAsync(_prefix, revision, ct).ConfigureAwait(false))
                {
                    Apply(batch);
                    revision = batch.Revision;
                    backoff = MinBackoff;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Until the relist, every lookup goes to the store.
                lock (_lock)
                {
                    _synced = false;
                }

                LogWatchFailed(_logger, e, backoff.TotalMilliseconds);
                revision = 0;
                try
                {
                    await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Replaces the entries with a fresh list, keeping what was recorded after the list's revision.</summary>
    private async Task<long> ListAsync(CancellationToken ct)
    {
        var fresh = new Dictionary<string, Entry>(StringComparer.Ordinal);
        long revision = 0;
        string? after = null;
        do
        {
            var page = await _store.ListAsync(_prefix, revision, after, 500, ct).ConfigureAwait(false);
            revision = page.Revision;
            foreach (var kv in page.Items)
            {
                if (NameOf(kv.Key) is { } name)
                {
                    fresh[name] = new Entry(kv.ModRevision, IsTerminating(kv), Deleted: false);
                }
            }

            after = page.ContinueKey;
        }
        while (after is not null);

        lock (_lock)
        {
            foreach (var (name, entry) in _entries)
            {
                if (entry.Revision > revision)
                {
                    fresh[name] = entry;
                }
            }

            _entries.Clear();
            foreach (var (name, entry) in fresh)
            {
                _entries[name] = entry;
            }

            _synced = true;
            _watchRevision = revision;
        }

        return revision;
    }

    private void Apply(WatchBatch batch)
    {
        foreach (var e in batch.Events)
        {
            if (e.Type == WatchEventType.Delete)
            {
                ObserveRemoved(e.Current.Key, e.Revision);
            }
            else
            {
                Observe(e.Current);
            }
        }

        lock (_lock)
        {
            // The watch has delivered everything up to here; Set ignores older news of names it does not hold.
            _watchRevision = Math.Max(_watchRevision, batch.Revision);
            foreach (var (name, entry) in _entries)
            {
                if (entry.Deleted && entry.Revision <= batch.Revision)
                {
                    _entries.Remove(name);
                }
            }
        }
    }

    private void Set(string name, Entry entry)
    {
        lock (_lock)
        {
            var news = _entries.TryGetValue(name, out var known) ? known.Revision < entry.Revision : entry.Revision > _watchRevision;
            if (news)
            {
                _entries[name] = entry;
            }
        }
    }

    private string? NameOf(string key) =>
        key.StartsWith(_prefix, StringComparison.Ordinal) && key.Length > _prefix.Length ? key[_prefix.Length..] : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Namespace watch failed; creates read namespaces from storage until it is back (retry in {DelayMs} ms)")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Namespace watch is back; creates check namespaces in the cache again")]
    private static partial void LogResynced(ILogger logger);

    private readonly record struct Entry(long Revision, bool Terminating, bool Deleted);
}
