using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NodeAgent.Api.Hosting;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>
/// One watch request: optional initial ADDED events (the state at a revision), then every store event after that
/// revision translated through the selectors (upstream's transitions), bookmarks from the store's progress
/// batches, and an ERROR 410 event when history is compacted away. The store's watch is pulled at this client's
/// pace, so a slow client delays nobody else and nothing is skipped; a client slower than
/// <see cref="CollectionReaderOptions.WatchWriteTimeout"/> per flush has its watch ended.
/// </summary>
internal sealed partial class WatchSession : IDisposable
{
    private readonly IRevisionedStore _store;
    private readonly ResourceDefinition _resource;
    private readonly ListParameters _parameters;
    private readonly ObjectFilter _filter;
    private readonly string _prefix;
    private readonly CollectionReaderOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _flushTimeout = new();
    private long _lastRevision;

    public WatchSession(
        IRevisionedStore store, ResourceDefinition resource, ListParameters parameters, ObjectFilter filter, string prefix,
        CollectionReaderOptions options, ILogger logger)
    {
        _store = store;
        _resource = resource;
        _parameters = parameters;
        _filter = filter;
        _prefix = prefix;
        _options = options;
        _logger = logger;
    }

    public async Task RunAsync(HttpContext context, WatchEventWriter events, CancellationToken ct)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(ct);
        lifetime.CancelAfter(WatchDuration());
        try
        {
            var from = await SendInitialStateAsync(events, lifetime.Token).ConfigureAwait(false);
            _lastRevision = from;
            await FollowAsync(events, from, lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested && !ct.IsCancellationRequested && !_flushTimeout.IsCancellationRequested)
        {
            // timeoutSeconds reached: end the response normally, the client re-watches.
        }
        catch (OperationCanceledException) when (_flushTimeout.IsCancellationRequested)
        {
            LogSlowClient(_logger, _resource.Plural, _lastRevision, _options.WatchWriteTimeout);
            context.Abort();
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Gone)
        {
            events.WriteError(StatusResponses.Failure(410, "Expired", StoreReads.TooOldMessage(e, _lastRevision)));
            await FlushQuietlyAsync(events, ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e)
        {
            events.WriteError(e.Status);
            await FlushQuietlyAsync(events, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && lifetime.IsCancellationRequested && !_flushTimeout.IsCancellationRequested)
        {
            // Cancelled (timeoutSeconds or the client left) while a backend call was starting: some surface that
            // as their own error (etcd's gRPC as RpcException Cancelled) rather than as a cancellation.
            LogCancelledWithError(_logger, _resource.Plural, e);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.Unavailable)
        {
            // The store went away (closing, etcd lost): end the stream; the client re-watches from its last revision.
            LogStoreFailed(_logger, _resource.Plural, e);
        }
    }

    public void Dispose() => _flushTimeout.Dispose();

    // Returns the revision to follow from.
    private async Task<long> SendInitialStateAsync(WatchEventWriter events, CancellationToken ct)
    {
        var initialEvents = _parameters.SendInitialEvents
            ?? (_parameters.ResourceVersion is "" or "0");
        if (!initialEvents)
        {
            if (_parameters.Revision > 0)
            {
                return _parameters.Revision;
            }

            return await _store.CurrentRevisionAsync(ct).ConfigureAwait(false);
        }

        // The state now (not older than a given resourceVersion), as synthetic ADDED events.
        if (_parameters.SendInitialEvents == true)
        {
            await StoreReads.EnsureNotOlderThanAsync(_store, _parameters.Revision, ct).ConfigureAwait(false);
        }

        long revision = 0;
        string? startAfter = null;
        do
        {
            var page = await _store.ListAsync(_prefix, revision, startAfter, _options.InitialEventsPageSize, ct).ConfigureAwait(false);
            revision = page.Revision;
            foreach (var kv in page.Items)
            {
                var item = StoredItem.Of(kv);
                if (_filter.Matches(item))
                {
                    events.WriteEvent(WatchEventWriter.Added, item);
                }
            }

            await FlushAsync(events, ct).ConfigureAwait(false);
            startAfter = page.ContinueKey;
        }
        while (startAfter is not null);

        if (_parameters.SendInitialEvents == true)
        {
            events.WriteBookmark(revision, initialEventsEnd: true);
            await FlushAsync(events, ct).ConfigureAwait(false);
        }

        return revision;
    }

    private async Task FollowAsync(WatchEventWriter events, long from, CancellationToken ct)
    {
        await foreach (var batch in _store.WatchAsync(_prefix, from, ct).ConfigureAwait(false))
        {
            if (batch.IsProgress)
            {
                if (_parameters.AllowWatchBookmarks)
                {
                    events.WriteBookmark(batch.Revision, initialEventsEnd: false);
                    await FlushAsync(events, ct).ConfigureAwait(false);
                }

                _lastRevision = batch.Revision;
                continue;
            }

            var wrote = false;
            foreach (var e in batch.Events)
            {
                wrote |= WriteTransition(events, e);
            }

            _lastRevision = batch.Revision;
            if (wrote)
            {
                await FlushAsync(events, ct).ConfigureAwait(false);
            }
        }
    }

    // Upstream's cacheWatcher rules: an object that starts matching is ADDED, one that stops is DELETED (its old
    // state, at the event's revision), one that keeps matching is MODIFIED.
    private bool WriteTransition(WatchEventWriter events, WatchEvent e)
    {
        if (e.Type == WatchEventType.Delete)
        {
            var last = StoredItem.For(e.Current);
            if (!_filter.Matches(last))
            {
                return false;
            }

            events.WriteEvent(WatchEventWriter.Deleted, last);
            return true;
        }

        var current = StoredItem.For(e.Current);
        var isCreate = e.Previous is null || e.Current.CreateRevision == e.Current.ModRevision;
        if (_filter.IsEverything)
        {
            events.WriteEvent(isCreate ? WatchEventWriter.Added : WatchEventWriter.Modified, current);
            return true;
        }

        var matchesNow = _filter.Matches(current);
        var matchedBefore = !isCreate && _filter.Matches(StoredItem.For(e.Previous!));
        switch (matchesNow, matchedBefore)
        {
            case (true, false):
                events.WriteEvent(WatchEventWriter.Added, current);
                return true;
            case (true, true):
                events.WriteEvent(WatchEventWriter.Modified, current);
                return true;
            case (false, true):
                events.WriteEvent(WatchEventWriter.Deleted, StoredItem.WithRevision(e.Previous!, e.Revision));
                return true;
            default:
                return false;
        }
    }

    private async Task FlushAsync(WatchEventWriter events, CancellationToken ct)
    {
        _flushTimeout.CancelAfter(_options.WatchWriteTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _flushTimeout.Token);
        var result = await events.FlushAsync(linked.Token).ConfigureAwait(false);
        if (result.IsCanceled || !_flushTimeout.TryReset())
        {
            throw new OperationCanceledException(_flushTimeout.Token);
        }
    }

    private async Task FlushQuietlyAsync(WatchEventWriter events, CancellationToken ct)
    {
        try
        {
            await FlushAsync(events, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client is gone or stuck; nothing more to tell it.
        }
    }

    private TimeSpan WatchDuration()
    {
        if (_parameters.TimeoutSeconds is > 0 and var seconds)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var min = _options.MinRequestTimeout;
        return min + (min * Random.Shared.NextDouble());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ended a watch on {Resource} at revision {Revision}: the client took longer than {Timeout} to accept events")]
    private static partial void LogSlowClient(ILogger logger, string resource, long revision, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A watch on {Resource} was cancelled while the store was busy")]
    private static partial void LogCancelledWithError(ILogger logger, string resource, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A watch on {Resource} ended: the store is unavailable")]
    private static partial void LogStoreFailed(ILogger logger, string resource, Exception exception);
}
