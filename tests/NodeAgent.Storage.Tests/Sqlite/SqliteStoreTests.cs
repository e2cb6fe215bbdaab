using System.Text;
using Microsoft.Data.Sqlite;
using NodeAgent.Testing.Common;

namespace NodeAgent.Storage.Tests.Sqlite;

/// <summary>What only the SQLite backend promises: kine's schema, several connections and processes on one file, the watch cache.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempDirectory _dataDir = new(TestIds.NewPrefix() + "-sqlite");

    public void Dispose() => _dataDir.Dispose();

    private Task<IRevisionedStore> OpenAsync(CancellationToken ct, StorageOptions? options = null)
        => TestStores.OpenAsync(StorageFactory.SqliteEndpoint, _dataDir.Path, ct, options);

    private static ReadOnlyMemory<byte> Json(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Schema_IsKines_AndTheUniqueIndexRefusesASecondSuccessorOfOneRow()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using (var store = await OpenAsync(ct))
        {
            // Like a fresh etcd: revision 1, so no current revision is ever the 0 that means "latest".
            Assert.Equal(1, await store.CurrentRevisionAsync(ct));
            var created = await store.CreateAsync("/registry/a", Json("1"), ct);
            Assert.Equal(2, created.ModRevision);
            await store.UpdateAsync("/registry/a", Json("2"), created.ModRevision, ct);
        }

        Assert.True(File.Exists(Path.Combine(_dataDir.Path, "state.db")));
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir.Path, "state.db")};Pooling=False");
        await connection.OpenAsync(ct);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info('kine') ORDER BY cid";
        var columns = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                columns.Add(reader.GetString(0));
            }
        }

        Assert.Equal(["id", "name", "created", "deleted", "create_revision", "prev_revision", "lease", "value", "old_value"], columns);
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(ct));

        // A second writer that also read row 2 as the newest and tries to replace it loses at the index.
        command.CommandText = "INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value) VALUES ('/registry/a', 0, 0, 2, 2, 0, x'33')";
        var e = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync(ct));
        Assert.Equal(19, e.SqliteErrorCode);
    }

    [Fact]
    public async Task TwoStoresOnOneFile_SeeEachOthersWrites_InReadsAndWatches()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        await using var watcherSide = await OpenAsync(ct);
        await using var writerSide = await OpenAsync(ct);
        var from = await watcherSide.CurrentRevisionAsync(ct);

        // Writes of the other store reach this one's watch cache only through the poll of the log.
        var watched = Task.Run(async () =>
        {
            var events = new List<WatchEvent>();
            await foreach (var batch in watcherSide.WatchAsync("/registry/", from, ct))
            {
                events.AddRange(batch.Events);
                if (events.Count == 3)
                {
                    return events;
                }
            }

            return events;
        }, ct);

        var a = await writerSide.CreateAsync("/registry/a", Json("1"), ct);
        var a2 = await writerSide.UpdateAsync("/registry/a", Json("2"), a.ModRevision, ct);
        var gone = await writerSide.DeleteAsync("/registry/a", null, ct);

        Assert.Equal([a.ModRevision, a2.ModRevision, gone.ModRevision], (await watched).Select(e => e.Revision));
        Assert.Equal(gone.ModRevision, await watcherSide.CurrentRevisionAsync(ct));

        // Compare-and-swap holds across stores: the stale one loses.
        var b = await watcherSide.CreateAsync("/registry/b", Json("1"), ct);
        await writerSide.UpdateAsync("/registry/b", Json("2"), b.ModRevision, ct);
        var conflict = await Assert.ThrowsAsync<StorageException>(() => watcherSide.UpdateAsync("/registry/b", Json("3"), b.ModRevision, ct));
        Assert.Equal(StorageErrorKind.Conflict, conflict.Kind);
    }

    [Fact]
    public async Task ConcurrentCreates_FromTwoStores_ExactlyOneWins()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        await using var one = await OpenAsync(ct);
        await using var two = await OpenAsync(ct);

        for (var round = 0; round < 20; round++)
        {
            var key = $"/registry/race-{round}";
            var results = await Task.WhenAll(new[] { one, two }.Select(store => Task.Run(async () =>
            {
                try
                {
                    await store.CreateAsync(key, Json("x"), ct);
                    return true;
                }
                catch (StorageException e) when (e.Kind == StorageErrorKind.AlreadyExists)
                {
                    return false;
                }
            }, ct)));
            Assert.Single(results, won => won);
        }
    }

    [Fact]
    public async Task Watch_FromBeyondTheCache_ReadsTheLog_WithoutGaps()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        var tiny = TestStores.Options with { WatchCacheCapacity = 16 };
        await using var store = await OpenAsync(ct, tiny);
        var start = (await store.CreateAsync("/other/first", Json("v"), ct)).ModRevision;
        var revisions = new List<long>();
        for (var i = 0; i < 300; i++)
        {
            revisions.Add((await store.CreateAsync($"/registry/k{i:D3}", Json("v"), ct)).ModRevision);
        }

        // The cache holds the last 16 events only: the first 284 come from the log, the rest from memory.
        var seen = new List<long>();
        await foreach (var batch in store.WatchAsync("/registry/", start, ct))
        {
            seen.AddRange(batch.Events.Select(e => e.Revision));
            if (seen.Count >= revisions.Count)
            {
                break;
            }
        }

        Assert.Equal(revisions, seen);
    }

    [Fact]
    public async Task Compaction_ByAnotherStore_MakesOldWatchesGone()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        await using var one = await OpenAsync(ct);
        await using var two = await OpenAsync(ct);
        var first = await one.CreateAsync("/registry/first", Json("0"), ct);
        var a = await one.CreateAsync("/registry/a", Json("1"), ct);
        var a2 = await one.UpdateAsync("/registry/a", Json("2"), a.ModRevision, ct);
        await one.UpdateAsync("/registry/a", Json("3"), a2.ModRevision, ct);

        await two.CompactAsync(a2.ModRevision, ct);

        var e = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            await foreach (var batch in one.WatchAsync("/registry/", first.ModRevision, ct))
            {
                Assert.Fail($"a batch at {batch.Revision} from a compacted revision");
            }
        });
        Assert.Equal(StorageErrorKind.Gone, e.Kind);
    }
}
