using System.Runtime.CompilerServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Mvccpb;

namespace NodeAgent.Storage.Etcd;

/// <summary>
/// <see cref="IRevisionedStore"/> over etcd v3, through the gRPC stubs of <c>dotnet-etcd</c>. etcd already is a
/// revisioned store, so each operation is one request: create and update are transactions comparing the
/// key's create or mod revision; list is a range at a revision; watch asks for previous values and progress
/// notifications; compaction errors map to <see cref="StorageErrorKind.Gone"/>.
/// </summary>
internal sealed partial class EtcdStore : IRevisionedStore
{
    private readonly GrpcChannel _channel;
    private readonly KV.KVClient _kv;
    private readonly Watch.WatchClient _watch;
    private readonly ILogger _logger;

    private EtcdStore(GrpcChannel channel, ILogger logger)
    {
        _channel = channel;
        _kv = new KV.KVClient(channel);
        _watch = new Watch.WatchClient(channel);
        _logger = logger;
    }

    public Uri Endpoint { get; private init; } = null!;

    /// <summary>Connects to <paramref name="endpoint"/> and checks that etcd answers within the connect timeout.</summary>
    public static async Task<EtcdStore> OpenAsync(Uri endpoint, StorageOptions options, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        options.Validate();
        var channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            // Watches are long-lived streams; no message size limit below etcd's own (1.5 MiB requests).
            MaxReceiveMessageSize = null,
        });
        var store = new EtcdStore(channel, loggerFactory.CreateLogger<EtcdStore>()) { Endpoint = endpoint };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.ConnectTimeout);
            var revision = await store.CurrentRevisionAsync(timeout.Token).ConfigureAwait(false);
            LogOpened(store._logger, endpoint, revision);
            return store;
        }
        catch (Exception e) when (e is StorageException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            channel.Dispose();
            throw new StorageException(StorageErrorKind.Unavailable, $"etcd at {endpoint} did not answer within {options.ConnectTimeout.TotalSeconds:0}s: {e.Message}", null, e);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    public async Task<long> CurrentRevisionAsync(CancellationToken ct)
    {
        var response = await CallAsync(() => _kv.RangeAsync(new RangeRequest { Key = Bytes("\0"), CountOnly = true }, cancellationToken: ct).ResponseAsync, 0).ConfigureAwait(false);
        return response.Header.Revision;
    }

    public async Task<KeyValue?> GetAsync(string key, CancellationToken ct)
    {
        KeyRange.ValidateKey(key);
        var response = await CallAsync(() => _kv.RangeAsync(new RangeRequest { Key = Bytes(key) }, cancellationToken: ct).ResponseAsync, 0).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : ToKeyValue(response.Kvs[0]);
    }

    public async Task<ListResult> ListAsync(string prefix, long revision, string? startAfterKey, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var request = new RangeRequest
        {
            // The smallest key after startAfterKey is startAfterKey + "\0".
            Key = Bytes(startAfterKey is null || string.CompareOrdinal(startAfterKey, prefix) < 0 ? prefix : startAfterKey + "\0"),
            RangeEnd = Bytes(KeyRange.PrefixEnd(prefix) ?? "\0"),
            Revision = revision,
            Limit = limit,
            SortOrder = RangeRequest.Types.SortOrder.Ascend,
            SortTarget = RangeRequest.Types.SortTarget.Key,
        };
        var response = await CallAsync(() => _kv.RangeAsync(request, cancellationToken: ct).ResponseAsync, revision).ConfigureAwait(false);
        var items = response.Kvs.Select(ToKeyValue).ToArray();
        var at = revision == 0 ? response.Header.Revision : revision;
        return response.More && items.Length > 0
            ? new ListResult(items, at, items[^1].Key, response.Count - items.Length)
            : new ListResult(items, at, null, 0);
    }

    public async Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        KeyRange.ValidateKey(key);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = ByteString.CopyFrom(value.Span) } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(key) } });
        var response = await TxnAsync(txn, ct).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            var current = response.Responses[0].ResponseRange.Kvs.Select(ToKeyValue).FirstOrDefault();
            throw StorageException.AlreadyExists(key, current);
        }

        var revision = response.Header.Revision;
        return new KeyValue(key, value.ToArray(), revision, revision);
    }

    public async Task<KeyValue> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedModRevision, CancellationToken ct)
    {
        KeyRange.ValidateKey(key);
        var txn = CompareAndSwap(key, expectedModRevision, new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = ByteString.CopyFrom(value.Span), PrevKv = true } });
        var response = await TxnAsync(txn, ct).ConfigureAwait(false);
        ThrowIfFailed(key, expectedModRevision, response);
        var previous = response.Responses[0].ResponsePut.PrevKv;
        return new KeyValue(key, value.ToArray(), previous.CreateRevision, response.Header.Revision);
    }

    public async Task<KeyValue> DeleteAsync(string key, long? expectedModRevision, CancellationToken ct)
    {
        KeyRange.ValidateKey(key);
        var txn = CompareAndSwap(key, expectedModRevision, new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(key), PrevKv = true } });
        var response = await TxnAsync(txn, ct).ConfigureAwait(false);
        ThrowIfFailed(key, expectedModRevision, response);
        var previous = response.Responses[0].ResponseDeleteRange.PrevKvs[0];
        return new KeyValue(key, previous.Value.ToByteArray(), previous.CreateRevision, response.Header.Revision);
    }

    public async IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        if (fromRevision > 0)
        {
            // etcd would still serve a watch from one revision below the compaction; a read at the revision
            // fails exactly when a list would, which keeps both backends' Gone identical.
            await CheckNotCompactedAsync(fromRevision, ct).ConfigureAwait(false);
        }

        using var call = _watch.Watch(cancellationToken: ct);
        var create = new WatchCreateRequest
        {
            Key = Bytes(prefix.Length == 0 ? "\0" : prefix),
            RangeEnd = Bytes(KeyRange.PrefixEnd(prefix) ?? "\0"),
            StartRevision = fromRevision == 0 ? 0 : fromRevision + 1,
            PrevKv = true,
            ProgressNotify = true,
        };
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, ct).ConfigureAwait(false);
        LogWatchStarted(_logger, prefix, fromRevision);

        var seen = fromRevision;
        while (true)
        {
            WatchResponse response;
            try
            {
                if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
                {
                    throw new StorageException(StorageErrorKind.Unavailable, "etcd closed the watch stream");
                }

                response = call.ResponseStream.Current;
            }
            catch (RpcException e) when (!ct.IsCancellationRequested)
            {
                throw Map(e, fromRevision);
            }
            catch (RpcException) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }

            if (response.CompactRevision > 0)
            {
                throw StorageException.Gone(seen, response.CompactRevision);
            }

            if (response.Canceled)
            {
                throw new StorageException(StorageErrorKind.Unavailable, $"etcd cancelled the watch: {response.CancelReason}");
            }

            if (response.Created && response.Events.Count == 0)
            {
                if (fromRevision == 0)
                {
                    seen = response.Header.Revision;
                }

                continue;
            }

            if (response.Events.Count == 0)
            {
                // A progress notification: etcd sends it only for a watcher that has been sent every event up to the header revision.
                seen = Math.Max(seen, response.Header.Revision);
                yield return new WatchBatch(seen, []);
                continue;
            }

            var events = response.Events.Select(ToWatchEvent).ToArray();
            seen = events[^1].Revision;
            yield return new WatchBatch(seen, events);
        }
    }

    public async Task CompactAsync(long revision, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        try
        {
            // Physical: return only once the compaction is applied, so reads right after it see Gone.
            await CallAsync(() => _kv.CompactAsync(new CompactionRequest { Revision = revision, Physical = true }, cancellationToken: ct).ResponseAsync, revision).ConfigureAwait(false);
            LogCompacted(_logger, revision);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Gone)
        {
            // Already compacted at or beyond this revision: nothing to do.
        }
    }

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    private static TxnRequest CompareAndSwap(string key, long? expectedModRevision, RequestOp operation)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(expectedModRevision is { } expected
            ? new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = expected }
            : new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Greater, CreateRevision = 0 });
        txn.Success.Add(operation);
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(key) } });
        return txn;
    }

    private static void ThrowIfFailed(string key, long? expectedModRevision, TxnResponse response)
    {
        if (response.Succeeded)
        {
            return;
        }

        var current = response.Responses[0].ResponseRange.Kvs.Select(ToKeyValue).FirstOrDefault();
        if (current is null)
        {
            throw StorageException.NotFound(key);
        }

        throw StorageException.Conflict(key, expectedModRevision ?? 0, current);
    }

    private async Task CheckNotCompactedAsync(long revision, CancellationToken ct)
    {
        try
        {
            await CallAsync(() => _kv.RangeAsync(new RangeRequest { Key = Bytes("\0"), CountOnly = true, Revision = revision }, cancellationToken: ct).ResponseAsync, revision).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.FutureRevision)
        {
            // Watching from a future revision is allowed: its events arrive when written.
        }
    }

    private Task<TxnResponse> TxnAsync(TxnRequest txn, CancellationToken ct)
        => CallAsync(() => _kv.TxnAsync(txn, cancellationToken: ct).ResponseAsync, 0);

    private static async Task<T> CallAsync<T>(Func<Task<T>> call, long revision)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw Map(e, revision);
        }
    }

    /// <summary>etcd's errors arrive as gRPC statuses; the mvcc ones are told apart by their fixed messages.</summary>
    private static StorageException Map(RpcException e, long revision)
    {
        var detail = e.Status.Detail;
        if (detail.Contains("required revision has been compacted", StringComparison.Ordinal))
        {
            return new StorageException(StorageErrorKind.Gone, $"revision {revision} has been compacted", null, e);
        }

        if (detail.Contains("required revision is a future revision", StringComparison.Ordinal))
        {
            return new StorageException(StorageErrorKind.FutureRevision, $"revision {revision} is newer than the current revision", null, e);
        }

        return new StorageException(StorageErrorKind.Unavailable, $"etcd: {e.StatusCode}: {detail}", null, e);
    }

    private static WatchEvent ToWatchEvent(Event e)
    {
        var previous = e.PrevKv is { } prev ? ToKeyValue(prev) : null;
        if (e.Type == Event.Types.EventType.Delete)
        {
            // etcd's delete event has only the key and revision; the last value comes from prev_kv.
            var last = new KeyValue(e.Kv.Key.ToStringUtf8(), previous?.Value ?? ReadOnlyMemory<byte>.Empty, previous?.CreateRevision ?? 0, e.Kv.ModRevision);
            return new WatchEvent(WatchEventType.Delete, last, previous);
        }

        // A create (version 1) has no previous value, even if the key lived before.
        return new WatchEvent(WatchEventType.Put, ToKeyValue(e.Kv), e.Kv.Version == 1 ? null : previous);
    }

    private static KeyValue ToKeyValue(Mvccpb.KeyValue kv) => new(kv.Key.ToStringUtf8(), kv.Value.ToByteArray(), kv.CreateRevision, kv.ModRevision);

    private static ByteString Bytes(string value) => ByteString.CopyFromUtf8(value);
}
