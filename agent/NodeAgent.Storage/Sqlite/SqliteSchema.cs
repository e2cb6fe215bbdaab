using Microsoft.Data.Sqlite;

namespace NodeAgent.Storage.Sqlite;

/// <summary>
/// kine's log-structured schema: one append-only table whose AUTOINCREMENT row id is the revision.
/// Every create, update and delete appends a row; the newest row of a name is its state (a row with
/// deleted = 1 is a tombstone). prev_revision points at the row a write replaced, and the unique index on
/// (name, prev_revision) turns "replace row N" into a compare-and-swap that only one writer can win, even
/// across connections and processes. old_value keeps the replaced value so watch events carry it after
/// compaction removed the old row.
/// </summary>
internal static class SqliteSchema
{
    public const string CompactRevisionKey = "compact_revision";

    // A fresh store is at revision 1, as a fresh etcd is, so a store's current revision is never 0, the
    // argument that means "latest" / "from now".
    // (name, id, deleted) finds a name's newest row at a revision from the index alone, and lets a list count
    // the live names without touching the table.
    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS kine (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            created INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            lease INTEGER NOT NULL DEFAULT 0,
            value BLOB,
            old_value BLOB
        );
        CREATE INDEX IF NOT EXISTS kine_name_id_deleted_index ON kine (name, id, deleted);
        CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision);
        CREATE TABLE IF NOT EXISTS kine_meta (
            key TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        );
        INSERT OR IGNORE INTO kine_meta (key, value) VALUES ('compact_revision', 0);
        INSERT INTO sqlite_sequence (name, seq) SELECT 'kine', 1 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'kine');
        """;

    /// <summary>Columns every row read selects, in <see cref="ReadRow"/>'s order.</summary>
    public const string RowColumns = "id, name, created, deleted, create_revision, prev_revision, value, old_value";

    public static async Task CreateAsync(SqliteConnection connection, CancellationToken ct)
    {
        // WAL lets readers run beside the one writer; the setting is stored in the file.
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", ct).ConfigureAwait(false);
        await ExecuteAsync(connection, Ddl, ct).ConfigureAwait(false);
    }

    /// <summary>Per-connection settings.</summary>
    public static Task ConfigureAsync(SqliteConnection connection, CancellationToken ct)
        // FULL syncs the WAL on every commit: an acknowledged write survives a power cut, as with etcd.
        => ExecuteAsync(connection, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;", ct);

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public static Row ReadRow(SqliteDataReader reader) => new(
        Id: reader.GetInt64(0),
        Name: reader.GetString(1),
        Created: reader.GetInt64(2) != 0,
        Deleted: reader.GetInt64(3) != 0,
        CreateRevision: reader.GetInt64(4),
        PrevRevision: reader.GetInt64(5),
        Value: reader.IsDBNull(6) ? [] : (byte[])reader.GetValue(6),
        OldValue: reader.IsDBNull(7) ? [] : (byte[])reader.GetValue(7));

    /// <summary>One row of the log.</summary>
    internal sealed record Row(long Id, string Name, bool Created, bool Deleted, long CreateRevision, long PrevRevision, byte[] Value, byte[] OldValue)
    {
        /// <summary>A create row's own id is its create revision (it is not known before the insert).</summary>
        public long EffectiveCreateRevision => Created ? Id : CreateRevision;

        public KeyValue ToKeyValue() => new(Name, Value, EffectiveCreateRevision, Id);

        public WatchEvent ToEvent()
        {
            var current = ToKeyValue();
            if (Created)
            {
                return new WatchEvent(WatchEventType.Put, current, null);
            }

            var previous = new KeyValue(Name, OldValue, EffectiveCreateRevision, PrevRevision);
            return new WatchEvent(Deleted ? WatchEventType.Delete : WatchEventType.Put, current, previous);
        }
    }
}
