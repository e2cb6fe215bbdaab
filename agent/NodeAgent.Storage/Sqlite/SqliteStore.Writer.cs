using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace NodeAgent.Storage.Sqlite;

/// <summary>
/// Group commit: every create, update and delete is queued to one loop, which applies all queued writes in
/// one IMMEDIATE transaction, in queue order, and syncs once for the lot. Each write still reads its key's
/// newest row inside that transaction (seeing earlier writes of the batch), so compare-and-swap is exactly
/// as if the writes ran one by one; a failed check affects only its own write. Results are handed out only
/// after the commit, so no caller ever sees a state that might not be durable.
/// </summary>
internal sealed partial class SqliteStore
{
    private const int MaxWriteBatch = 256;

    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues one compare-and-swap write; <paramref name="apply"/> checks the key's newest row and appends.</summary>
    private Task<KeyValue> WriteAsync(string key, Func<SqliteTransaction, SqliteSchema.Row?, Task<KeyValue>> apply, CancellationToken ct)
    {
        var pending = new PendingWrite(key, apply, ct);
        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(pending), this);

        // Not cancelled by ct once queued: a write that was applied must report its outcome, never "cancelled".
        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxWriteBatch);
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxWriteBatch && _writes.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            // Shared with compaction, which writes through the same connection.
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                await CommitBatchAsync(batch).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }

            _kick.Writer.TryWrite(true);
            foreach (var write in batch)
            {
                write.Complete();
            }
        }
    }

    private async Task CommitBatchAsync(List<PendingWrite> batch)
    {
        try
        {
            using var tx = (SqliteTransaction)await _writer.BeginTransactionAsync().ConfigureAwait(false);
            foreach (var write in batch)
            {
                if (write.Ct.IsCancellationRequested)
                {
                    write.Error = new OperationCanceledException(write.Ct);
                    continue;
                }

                var latest = await ReadLatestAsync(_writer, tx, write.Key, CancellationToken.None).ConfigureAwait(false);
                try
                {
                    write.Result = await write.Apply(tx, latest).ConfigureAwait(false);
                }
                catch (StorageException e)
                {
                    // The check failed before anything was inserted.
                    write.Error = e;
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
                {
                    // The unique (name, prev_revision) index refused a second successor of one row. Under the
                    // IMMEDIATE transaction no other writer can interleave, so this is a defect, not a race;
                    // SQLite undid only this statement.
                    LogLostRace(_logger, write.Key);
                    write.Error = new StorageException(StorageErrorKind.Conflict, $"key {write.Key} changed concurrently", null, e);
                }
            }

            await tx.CommitAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The loop boundary: whatever failed, nothing of the batch is durable, and the loop must live on.
            LogBatchFailed(_logger, batch.Count, e);
            foreach (var write in batch)
            {
                if (write.Error is null or StorageException { Kind: not StorageErrorKind.Unavailable })
                {
                    write.Result = null;
                    write.Error = new StorageException(StorageErrorKind.Unavailable, $"sqlite write of {write.Key} failed: {e.Message}", null, e);
                }
            }
        }
    }

    /// <summary>One queued write and, once its batch is committed, its outcome.</summary>
    private sealed class PendingWrite(string key, Func<SqliteTransaction, SqliteSchema.Row?, Task<KeyValue>> apply, CancellationToken ct)
    {
        public string Key { get; } = key;

        public Func<SqliteTransaction, SqliteSchema.Row?, Task<KeyValue>> Apply { get; } = apply;

        public CancellationToken Ct { get; } = ct;

        public TaskCompletionSource<KeyValue> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public KeyValue? Result { get; set; }

        public Exception? Error { get; set; }

        public void Complete()
        {
            switch (Error)
            {
                case OperationCanceledException:
                    Done.TrySetCanceled(Ct);
                    break;
                case { } error:
                    Done.TrySetException(error);
                    break;
                default:
                    Done.TrySetResult(Result!);
                    break;
            }
        }
    }
}
