using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace NodeAgent.Storage.Sqlite;

/// <summary>
/// <see cref="IRevisionedStore"/> over one SQLite file in kine's layout (see <see cref="SqliteSchema"/>).
/// Writes go through one connection, group-committed by one loop (see <c>SqliteStore.Writer.cs</c>); reads use pooled connections of their own, each in a
/// read transaction so a list sees one snapshot. Watches read committed rows from the log: one pump
/// copies new rows into the <see cref="WatchCache"/>, woken by this process's commits and by a poll
/// (so rows written by another process are seen too); the log is the source of truth.
/// </summary>
internal sealed partial class SqliteStore : IRevisionedStore
{
    private const int WatchReadBatch = 1000;
    private const int SqliteConstraint = 19;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly StorageOptions _options;
    private readonly ILogger _logger;
    private readonly WatchCache _cache;
    private readonly Channel<bool> _kick = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;
    private readonly Task _writeLoop;
    private int _disposed;

    private SqliteStore(string connectionString, SqliteConnection writer, long head, StorageOptions options, ILogger logger)
    {
        _connectionString = connectionString;
        _writer = writer;
        _options = options;
        _logger = logger;
        _cache = new WatchCache(options.WatchCacheCapacity, head);
        _pump = Task.Run(() => PumpAsync(_stopping.Token));
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    public string DatabasePath { get; private init; } = "";

    /// <summary>Opens (creating if needed) <c>state.db</c> in <paramref name="dataDirectory"/>.</summary>
    public static async Task<SqliteStore> OpenAsync(string dataDirectory, StorageOptions options, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        options.Validate();
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "state.db");
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();

        var writer = new SqliteConnection(connectionString);
        try
        {
            await writer.OpenAsync(ct).ConfigureAwait(false);
            await SqliteSchema.CreateAsync(writer, ct).ConfigureAwait(false);
            await SqliteSchema.ConfigureAsync(writer, ct).ConfigureAwait(false);
            var head = await ReadSequenceAsync(writer, null, ct).ConfigureAwait(false);
            var compacted = await ReadCompactRevisionAsync(writer, null, ct).ConfigureAwait(false);
            var logger = loggerFactory.CreateLogger<SqliteStore>();
            LogOpened(logger, path, head, compacted);
            return new SqliteStore(connectionString, writer, head, options, logger) { DatabasePath = path };
        }
        catch
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<long> CurrentRevisionAsync(CancellationToken ct)
    {
        await using var read = await BeginReadAsync(ct).ConfigureAwait(false);
        return await ReadSequenceAsync(read.Connection, read.Transaction, ct).ConfigureAwait(false);
    }

    public async Task<KeyValue?> GetAsync(string key, CancellationToken ct)
    {
        KeyRange.ValidateKey(key);
        await using var read = await BeginReadAsync(ct).ConfigureAwait(false);
        var row = await ReadLatestAsync(read.Connection, read.Transaction, key, ct).ConfigureAwait(false);
        return row is { Deleted: false } ? row.ToKeyValue() : null;
    }

    public async Task<ListResult> ListAsync(string prefix, long revision, string? startAfterKey, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var read = await BeginReadAsync(ct).ConfigureAwait(false);
        var current = await ReadSequenceAsync(read.Connection, read.Transaction, ct).ConfigureAwait(false);
        var compacted = await ReadCompactRevisionAsync(read.Connection, read.Transaction, ct).ConfigureAwait(false);
        if (revision > current)
        {
            throw StorageException.Future(revision, current);
        }

        if (revision != 0 && revision < compacted)
        {
            throw StorageException.Gone(revision, compacted);
        }

        var at = revision == 0 ? current : revision;

        // Each name's newest row at or below the revision, walked in name order along the (name, id, deleted)
        // index; names whose newest row is a tombstone are not live. Conditions are added only when they
        // apply, so SQLite can turn them into an index range.
        var where = new System.Text.StringBuilder("k.name >= @lo AND k.id <= @rev AND k.deleted = 0");
        var hi = KeyRange.PrefixEnd(prefix);
        if (hi is not null)
        {
            where.Append(" AND k.name < @hi");
        }

        if (startAfterKey is not null)
        {
            where.Append(" AND k.name > @after");
        }

        where.Append(" AND k.id = (SELECT MAX(n.id) FROM kine n WHERE n.name = k.name AND n.id <= @rev)");

        using var command = read.Connection.CreateCommand();
        command.Transaction = read.Transaction;
        command.CommandText = $"SELECT k.id, k.name, k.created, k.create_revision, k.value FROM kine k WHERE {where} ORDER BY k.name LIMIT @limit";
        command.Parameters.AddWithValue("@lo", prefix);
        command.Parameters.AddWithValue("@hi", (object?)hi ?? DBNull.Value);
        command.Parameters.AddWithValue("@after", (object?)startAfterKey ?? DBNull.Value);
        command.Parameters.AddWithValue("@rev", at);
        command.Parameters.AddWithValue("@limit", limit == 0 ? -1 : limit + 1L);

        var items = new List<KeyValue>();
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            // Microsoft.Data.Sqlite reads synchronously anyway; ReadAsync would only add a Task per row.
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                var createRevision = reader.GetInt64(2) != 0 ? id : reader.GetInt64(3);
                var value = reader.IsDBNull(4) ? [] : (byte[])reader.GetValue(4);
                items.Add(new KeyValue(reader.GetString(1), value, createRevision, id));
            }
        }

        if (limit == 0 || items.Count <= limit)
        {
            return new ListResult(items, at, null, 0);
        }

        // One more than asked for was read to learn that more follow; count the rest from the index alone.
        items.RemoveAt(items.Count - 1);
        command.CommandText = $"SELECT COUNT(*) FROM kine k WHERE {where}";
        var total = (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false) ?? 0L);
        return new ListResult(items, at, items[^1].Key, total - items.Count);
    }

    public Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        KeyRange.ValidateKey(key);
        return WriteAsync(key, async (tx, latest) =>
        {
            if (latest is { Deleted: false })
            {
                throw StorageException.AlreadyExists(key, latest.ToKeyValue());
            }

            var id = await InsertAsync(tx, key, created: true, deleted: false, createRevision: 0, prevRevision: latest?.Id ?? 0, value, oldValue: null, ct).ConfigureAwait(false);
            return new KeyValue(key, value.ToArray(), id, id);
        }, ct);
    }

    public Task<KeyValue> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedModRevision, CancellationToken ct)
    {
        KeyRange.ValidateKey(key);
        return WriteAsync(key, async (tx, latest) =>
        {
            var current = RequireLive(key, latest, expectedModRevision);
            var id = await InsertAsync(tx, key, created: false, deleted: false, current.EffectiveCreateRevision, current.Id, value, current.Value, ct).ConfigureAwait(false);
            return new KeyValue(key, value.ToArray(), current.EffectiveCreateRevision, id);
        }, ct);
    }

    public Task<KeyValue> DeleteAsync(string key, long? expectedModRevision, CancellationToken ct)
    {
        KeyRange.ValidateKey(key);
        return WriteAsync(key, async (tx, latest) =>
        {
            var current = RequireLive(key, latest, expectedModRevision);
            // The tombstone keeps the last value, so the delete event and the caller get it.
            var id = await InsertAsync(tx, key, created: false, deleted: true, current.EffectiveCreateRevision, current.Id, current.Value, current.Value, ct).ConfigureAwait(false);
            return new KeyValue(key, current.Value, current.EffectiveCreateRevision, id);
        }, ct);
    }

    public async IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        long cursor;
        await using (var read = await BeginReadAsync(ct).ConfigureAwait(false))
        {
            // From the file, not memory: another process may have compacted since this one last looked.
            var compacted = await ReadCompactRevisionAsync(read.Connection, read.Transaction, ct).ConfigureAwait(false);
            cursor = fromRevision == 0 ? await ReadSequenceAsync(read.Connection, read.Transaction, ct).ConfigureAwait(false) : fromRevision;
            if (cursor < compacted)
            {
                throw StorageException.Gone(cursor, compacted);
            }
        }

        LogWatchStarted(_logger, prefix, cursor);
        var time = _options.TimeProvider;
        var lastYield = time.GetTimestamp();
        var events = new List<WatchEvent>();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_cache.IsClosed)
            {
                throw new StorageException(StorageErrorKind.Unavailable, "the store was closed");
            }

            // Taken before reading so an append after the read still wakes us.
            var advanced = _cache.WhenBeyond(cursor);
            events.Clear();
            if (!_cache.TryRead(cursor, prefix, WatchReadBatch, events, out var readUpTo))
            {
                readUpTo = await ReadLogAsync(prefix, cursor, _cache.Head, events, ct).ConfigureAwait(false);
            }

            if (events.Count > 0)
            {
                cursor = readUpTo;
                lastYield = time.GetTimestamp();
                yield return new WatchBatch(cursor, events.ToArray());
                continue;
            }

            cursor = Math.Max(cursor, readUpTo);
            if (advanced.IsCompleted && _cache.Head > cursor)
            {
                continue;
            }

            var idleFor = time.GetElapsedTime(lastYield);
            var untilProgress = _options.WatchProgressInterval - idleFor;
            if (untilProgress <= TimeSpan.Zero)
            {
                lastYield = time.GetTimestamp();
                yield return new WatchBatch(cursor, []);
                continue;
            }

            await WaitAsync(_cache.WhenBeyond(cursor), untilProgress, time, ct).ConfigureAwait(false);
        }
    }

    public async Task CompactAsync(long revision, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        var current = await CurrentRevisionAsync(ct).ConfigureAwait(false);
        if (revision > current)
        {
            throw StorageException.Future(revision, current);
        }

        // Let the watch cache take every event up to the revision before the log forgets them.
        _kick.Writer.TryWrite(true);
        await _cache.WhenBeyond(revision - 1).WaitAsync(ct).ConfigureAwait(false);

        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            using var tx = (SqliteTransaction)await _writer.BeginTransactionAsync(ct).ConfigureAwait(false);
            var previous = await ReadCompactRevisionAsync(_writer, tx, ct).ConfigureAwait(false);
            if (revision <= previous)
            {
                return;
            }

            // Rows replaced by a write in (previous, revision], and tombstones up to revision: older
            // replacements and tombstones went in earlier compactions, so the id range bounds the work.
            using var command = _writer.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                DELETE FROM kine WHERE id IN (
                    SELECT prev_revision FROM kine WHERE id > @from AND id <= @to AND prev_revision != 0);
                DELETE FROM kine WHERE id > @from AND id <= @to AND deleted = 1;
                UPDATE kine_meta SET value = @to WHERE key = 'compact_revision';
                """;
            command.Parameters.AddWithValue("@from", previous);
            command.Parameters.AddWithValue("@to", revision);
            var removed = await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            LogCompacted(_logger, revision, removed - 1);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Queued writes still commit; later ones are refused.
        _writes.Writer.TryComplete();
        await _writeLoop.ConfigureAwait(false);
        _cache.Close();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The pump ends by cancellation.
        }

        // Writers that hold or wait for the lock finish first; later ones see _disposed.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _writer.DisposeAsync().ConfigureAwait(false);

            // Pooled reader connections would keep the file (and its WAL) open after the store is gone.
            using var pooled = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeLock.Release();
            _stopping.Dispose();
        }
    }

    /// <summary>Waits for new events or until the next progress batch is due, whichever comes first.</summary>
    private static async Task WaitAsync(Task signal, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(timeout, time, timer.Token);
        await Task.WhenAny(signal, delay).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    private static SqliteSchema.Row RequireLive(string key, SqliteSchema.Row? latest, long? expectedModRevision)
    {
        if (latest is null || latest.Deleted)
        {
            throw StorageException.NotFound(key);
        }

        if (expectedModRevision is { } expected && latest.Id != expected)
        {
            throw StorageException.Conflict(key, expected, latest.ToKeyValue());
        }

        return latest;
    }

    private async Task<long> InsertAsync(
        SqliteTransaction tx, string key, bool created, bool deleted, long createRevision, long prevRevision, ReadOnlyMemory<byte> value, byte[]? oldValue, CancellationToken ct)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value)
            VALUES (@name, @created, @deleted, @create_revision, @prev_revision, 0, @value, @old_value)
            RETURNING id
            """;
        command.Parameters.AddWithValue("@name", key);
        command.Parameters.AddWithValue("@created", created ? 1 : 0);
        command.Parameters.AddWithValue("@deleted", deleted ? 1 : 0);
        command.Parameters.AddWithValue("@create_revision", createRevision);
        command.Parameters.AddWithValue("@prev_revision", prevRevision);
        command.Parameters.AddWithValue("@value", value.ToArray());
        command.Parameters.AddWithValue("@old_value", (object?)oldValue ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Copies new log rows into the watch cache whenever a write of ours commits or the poll interval passes.</summary>
    private async Task PumpAsync(CancellationToken ct)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await SqliteSchema.ConfigureAsync(connection, ct).ConfigureAwait(false);
        var events = new List<WatchEvent>();
        while (!ct.IsCancellationRequested)
        {
            bool more;
            try
            {
                more = await PumpOnceAsync(connection, events, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The loop boundary: log and try again at the next poll; watchers wait meanwhile.
                LogPumpFailed(_logger, e);
                more = false;
            }

            if (more)
            {
                continue;
            }

            using var poll = CancellationTokenSource.CreateLinkedTokenSource(ct);
            poll.CancelAfter(_options.PollInterval);
            try
            {
                await _kick.Reader.ReadAsync(poll.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Poll interval: look for writes of other processes.
            }
        }
    }

    private async Task<bool> PumpOnceAsync(SqliteConnection connection, List<WatchEvent> events, CancellationToken ct)
    {
        using var tx = connection.BeginTransaction(deferred: true);
        var head = _cache.Head;
        var sequence = await ReadSequenceAsync(connection, tx, ct).ConfigureAwait(false);
        if (sequence <= head)
        {
            return false;
        }

        var compacted = await ReadCompactRevisionAsync(connection, tx, ct).ConfigureAwait(false);
        if (compacted > head)
        {
            // Another process compacted rows this cache never saw: their events are gone for good.
            LogCacheReset(_logger, head, compacted);
            _cache.Reset(compacted);
            head = compacted;
        }

        events.Clear();
        var rows = await ReadLogRowsAsync(connection, tx, "", head, sequence, WatchReadBatch, events, ct).ConfigureAwait(false);
        var full = rows == WatchReadBatch;
        _cache.Append(events, full ? events[^1].Revision : sequence);
        return full;
    }

    /// <summary>Reads events after <paramref name="after"/> (up to <paramref name="upTo"/>) from the log; returns the revision read up to.</summary>
    private async Task<long> ReadLogAsync(string prefix, long after, long upTo, List<WatchEvent> into, CancellationToken ct)
    {
        if (upTo <= after)
        {
            return after;
        }

        await using var read = await BeginReadAsync(ct).ConfigureAwait(false);
        var compacted = await ReadCompactRevisionAsync(read.Connection, read.Transaction, ct).ConfigureAwait(false);
        if (after < compacted)
        {
            throw StorageException.Gone(after, compacted);
        }

        var rows = await ReadLogRowsAsync(read.Connection, read.Transaction, prefix, after, upTo, WatchReadBatch, into, ct).ConfigureAwait(false);
        return rows == WatchReadBatch ? into[^1].Revision : upTo;
    }

    private static async Task<int> ReadLogRowsAsync(
        SqliteConnection connection, SqliteTransaction tx, string prefix, long after, long upTo, int limit, List<WatchEvent> into, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"""
            SELECT {SqliteSchema.RowColumns} FROM kine
            WHERE id > @after AND id <= @upTo AND name >= @lo AND (@hi IS NULL OR name < @hi)
            ORDER BY id LIMIT @limit
            """;
        command.Parameters.AddWithValue("@after", after);
        command.Parameters.AddWithValue("@upTo", upTo);
        command.Parameters.AddWithValue("@lo", prefix);
        command.Parameters.AddWithValue("@hi", (object?)KeyRange.PrefixEnd(prefix) ?? DBNull.Value);
        command.Parameters.AddWithValue("@limit", limit);
        var count = 0;
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (reader.Read())
        {
            into.Add(SqliteSchema.ReadRow(reader).ToEvent());
            count++;
        }

        return count;
    }

    private static async Task<SqliteSchema.Row?> ReadLatestAsync(SqliteConnection connection, SqliteTransaction tx, string key, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"SELECT {SqliteSchema.RowColumns} FROM kine WHERE name = @name ORDER BY id DESC LIMIT 1";
        command.Parameters.AddWithValue("@name", key);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? SqliteSchema.ReadRow(reader) : null;
    }

    /// <summary>The AUTOINCREMENT counter: the newest revision ever written, even if compaction removed its row.</summary>
    private static async Task<long> ReadSequenceAsync(SqliteConnection connection, SqliteTransaction? tx, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT seq FROM sqlite_sequence WHERE name = 'kine'";
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long seq ? seq : 0;
    }

    private static async Task<long> ReadCompactRevisionAsync(SqliteConnection connection, SqliteTransaction? tx, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT value FROM kine_meta WHERE key = 'compact_revision'";
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long value ? value : 0;
    }

    private async Task<ReadScope> BeginReadAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            // Deferred: a read snapshot without taking the write lock.
            var tx = connection.BeginTransaction(deferred: true);
            return new ReadScope(connection, tx);
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new StorageException(StorageErrorKind.Unavailable, $"sqlite read failed: {e.Message}", null, e);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A pooled reader connection with its read transaction (one consistent snapshot).</summary>
    private sealed class ReadScope(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public SqliteTransaction Transaction { get; } = transaction;

        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
