using System.Text;
using NodeAgent.Storage;
using NodeAgent.Testing.Common;

namespace NodeAgent.Storage.Tests.Conformance;

/// <summary>
/// The one behaviour every <see cref="IRevisionedStore"/> must show; each backend's test class derives from it.
/// Every test works under its own key prefix, so backends may share one server between tests.
/// </summary>
public abstract class RevisionedStoreConformance
{
    protected RevisionedStoreConformance()
    {
        Prefix = $"/registry/{TestIds.NewPrefix()}/";
    }

    /// <summary>Keys of this test start with it.</summary>
    protected string Prefix { get; }

    /// <summary>Opens the backend's store over this test's data; opening again after disposal sees the same data.</summary>
    protected abstract Task<IRevisionedStore> OpenStoreAsync(CancellationToken ct);

    protected static ReadOnlyMemory<byte> Json(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(KeyValue kv) => Encoding.UTF8.GetString(kv.Value.Span);

    [Fact]
    public async Task Create_Get_Update_Delete_RoundTrip()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var key = Prefix + "pods/default/web-1";

        var created = await store.CreateAsync(key, Json("{\"v\":1}"), ct);
        Assert.Equal(key, created.Key);
        Assert.Equal(created.CreateRevision, created.ModRevision);
        Assert.Equal(created.ModRevision, await store.CurrentRevisionAsync(ct));

        var got = await store.GetAsync(key, ct);
        Assert.NotNull(got);
        Assert.Equal("{\"v\":1}", Text(got));
        Assert.Equal(created.ModRevision, got.ModRevision);

        var updated = await store.UpdateAsync(key, Json("{\"v\":2}"), created.ModRevision, ct);
        Assert.Equal(created.CreateRevision, updated.CreateRevision);
        Assert.True(updated.ModRevision > created.ModRevision);
        Assert.Equal("{\"v\":2}", Text((await store.GetAsync(key, ct))!));

        var deleted = await store.DeleteAsync(key, updated.ModRevision, ct);
        Assert.Equal("{\"v\":2}", Text(deleted));
        Assert.True(deleted.ModRevision > updated.ModRevision);
        Assert.Null(await store.GetAsync(key, ct));
        Assert.Equal(deleted.ModRevision, await store.CurrentRevisionAsync(ct));
    }

    [Fact]
    public async Task Create_OfLiveKey_IsAlreadyExists_AndAfterDelete_StartsANewLife()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var key = Prefix + "a";
        var first = await store.CreateAsync(key, Json("1"), ct);

        var e = await Assert.ThrowsAsync<StorageException>(() => store.CreateAsync(key, Json("2"), ct));
        Assert.Equal(StorageErrorKind.AlreadyExists, e.Kind);
        Assert.Equal(first.ModRevision, e.Current?.ModRevision);

        await store.DeleteAsync(key, null, ct);
        var second = await store.CreateAsync(key, Json("3"), ct);
        Assert.True(second.CreateRevision > first.CreateRevision);
        Assert.Equal(second.ModRevision, second.CreateRevision);
        Assert.Equal("3", Text((await store.GetAsync(key, ct))!));
    }

    [Fact]
    public async Task Update_And_Delete_CompareAndSwap_ReportNotFound_And_Conflict()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var key = Prefix + "cas";

        var missing = await Assert.ThrowsAsync<StorageException>(() => store.UpdateAsync(key, Json("x"), 1, ct));
        Assert.Equal(StorageErrorKind.NotFound, missing.Kind);
        missing = await Assert.ThrowsAsync<StorageException>(() => store.DeleteAsync(key, null, ct));
        Assert.Equal(StorageErrorKind.NotFound, missing.Kind);

        var v1 = await store.CreateAsync(key, Json("1"), ct);
        var v2 = await store.UpdateAsync(key, Json("2"), v1.ModRevision, ct);

        var stale = await Assert.ThrowsAsync<StorageException>(() => store.UpdateAsync(key, Json("3"), v1.ModRevision, ct));
        Assert.Equal(StorageErrorKind.Conflict, stale.Kind);
        Assert.NotNull(stale.Current);
        Assert.Equal(v2.ModRevision, stale.Current.ModRevision);
        Assert.Equal("2", Text(stale.Current));

        stale = await Assert.ThrowsAsync<StorageException>(() => store.DeleteAsync(key, v1.ModRevision, ct));
        Assert.Equal(StorageErrorKind.Conflict, stale.Kind);
        Assert.Equal(v2.ModRevision, stale.Current?.ModRevision);

        // A failed compare-and-swap writes nothing.
        Assert.Equal(v2.ModRevision, await store.CurrentRevisionAsync(ct));
        await store.DeleteAsync(key, v2.ModRevision, ct);
        Assert.Null(await store.GetAsync(key, ct));
    }

    [Fact]
    public async Task ConcurrentCreates_OfOneKey_ExactlyOneWins()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var key = Prefix + "contended";
        const int contenders = 16;

        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, contenders).Select(i => Task.Run(async () =>
        {
            start.Wait(ct);
            try
            {
                return (Won: true, Value: await store.CreateAsync(key, Json(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct));
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.AlreadyExists)
            {
                return (Won: false, Value: (KeyValue?)null);
            }
        }, ct)).ToArray();
        start.Set();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.Won);
        Assert.Equal(Text(winner.Value!), Text((await store.GetAsync(key, ct))!));
    }

    [Fact]
    public async Task ConcurrentUpdates_WithTheSameExpectedRevision_ExactlyOneWins()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var key = Prefix + "counter";
        var original = await store.CreateAsync(key, Json("0"), ct);
        const int contenders = 16;

        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(1, contenders).Select(i => Task.Run(async () =>
        {
            start.Wait(ct);
            try
            {
                await store.UpdateAsync(key, Json(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), original.ModRevision, ct);
                return true;
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
            {
                Assert.NotEqual(original.ModRevision, e.Current!.ModRevision);
                return false;
            }
        }, ct)).ToArray();
        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, won => won);
        Assert.True((await store.GetAsync(key, ct))!.ModRevision > original.ModRevision);
    }

    [Fact]
    public async Task List_AtAnOldRevision_ShowsThePast()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var a = await store.CreateAsync(Prefix + "a", Json("a1"), ct);
        var b = await store.CreateAsync(Prefix + "b", Json("b1"), ct);
        var then = b.ModRevision;
        await store.UpdateAsync(Prefix + "a", Json("a2"), a.ModRevision, ct);
        await store.DeleteAsync(Prefix + "b", null, ct);
        await store.CreateAsync(Prefix + "c", Json("c1"), ct);

        var past = await store.ListAsync(Prefix, then, null, 0, ct);
        Assert.Equal(then, past.Revision);
        Assert.Equal(["a1", "b1"], past.Items.Select(Text));
        Assert.Equal([a.ModRevision, b.ModRevision], past.Items.Select(i => i.ModRevision));
        Assert.Null(past.ContinueKey);

        var now = await store.ListAsync(Prefix, 0, null, 0, ct);
        Assert.Equal(await store.CurrentRevisionAsync(ct), now.Revision);
        Assert.Equal(["a2", "c1"], now.Items.Select(Text));
    }

    [Fact]
    public async Task List_SelectsOnlyKeysUnderThePrefix_InKeyOrder()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        foreach (var key in new[] { "pods/ns/b", "pods/ns/a", "pods/other/c", "podsx/ns/d", "pod/e" })
        {
            await store.CreateAsync(Prefix + key, Json(key), ct);
        }

        var pods = await store.ListAsync(Prefix + "pods/", 0, null, 0, ct);
        Assert.Equal(["pods/ns/a", "pods/ns/b", "pods/other/c"], pods.Items.Select(Text));
        var ns = await store.ListAsync(Prefix + "pods/ns/", 0, null, 0, ct);
        Assert.Equal(["pods/ns/a", "pods/ns/b"], ns.Items.Select(Text));
        Assert.Empty((await store.ListAsync(Prefix + "nothing/", 0, null, 0, ct)).Items);
    }

    [Fact]
    public async Task List_Paging_IsConsistentAtOneRevision()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        for (var i = 0; i < 25; i++)
        {
            await store.CreateAsync($"{Prefix}item-{i:D2}", Json($"{i}"), ct);
        }

        var first = await store.ListAsync(Prefix, 0, null, 10, ct);
        Assert.Equal(10, first.Items.Count);
        Assert.Equal($"{Prefix}item-09", first.ContinueKey);
        Assert.Equal(15, first.RemainingCount);

        // Writes between pages must not show up in later pages of the same list.
        await store.CreateAsync($"{Prefix}item-15a", Json("late"), ct);
        await store.DeleteAsync($"{Prefix}item-20", null, ct);
        var item12 = (await store.GetAsync($"{Prefix}item-12", ct))!;
        await store.UpdateAsync(item12.Key, Json("changed"), item12.ModRevision, ct);

        var seen = first.Items.ToList();
        var page = first;
        while (page.ContinueKey is not null)
        {
            page = await store.ListAsync(Prefix, first.Revision, page.ContinueKey, 10, ct);
            Assert.Equal(first.Revision, page.Revision);
            seen.AddRange(page.Items);
        }

        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"{i}"), seen.Select(Text));
        Assert.Equal(0, page.RemainingCount);
        Assert.Equal(seen.Count, seen.Select(i => i.Key).Distinct().Count());

        var latest = await store.ListAsync(Prefix, 0, null, 0, ct);
        Assert.Equal(25, latest.Items.Count);
        Assert.Contains(latest.Items, i => Text(i) == "late");
        Assert.Contains(latest.Items, i => Text(i) == "changed");
    }

    [Fact]
    public async Task Watch_FromARevision_ReplaysExactlyTheLaterEvents()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var a = await store.CreateAsync(Prefix + "a", Json("a1"), ct);
        var from = a.ModRevision;
        var a2 = await store.UpdateAsync(Prefix + "a", Json("a2"), a.ModRevision, ct);
        var b = await store.CreateAsync(Prefix + "b", Json("b1"), ct);
        await store.CreateAsync("/elsewhere" + Prefix + "x", Json("not watched"), ct);
        var deleted = await store.DeleteAsync(Prefix + "a", null, ct);

        var events = await CollectAsync(store, Prefix, from, 3, ct);

        Assert.Equal([a2.ModRevision, b.ModRevision, deleted.ModRevision], events.Select(e => e.Revision));
        Assert.Equal([WatchEventType.Put, WatchEventType.Put, WatchEventType.Delete], events.Select(e => e.Type));
        Assert.Equal("a2", Text(events[0].Current));
        Assert.Equal("a1", Text(events[0].Previous!));
        Assert.Equal(a.ModRevision, events[0].Previous!.ModRevision);
        Assert.Null(events[1].Previous);
    }

    [Fact]
    public async Task Watch_DeleteEvent_CarriesTheLastValue()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var v1 = await store.CreateAsync(Prefix + "k", Json("first"), ct);
        var v2 = await store.UpdateAsync(Prefix + "k", Json("last"), v1.ModRevision, ct);
        var gone = await store.DeleteAsync(Prefix + "k", v2.ModRevision, ct);

        var delete = Assert.Single(await CollectAsync(store, Prefix, v2.ModRevision, 1, ct));

        Assert.Equal(WatchEventType.Delete, delete.Type);
        Assert.Equal(gone.ModRevision, delete.Current.ModRevision);
        Assert.Equal("last", Text(delete.Current));
        Assert.Equal(v1.CreateRevision, delete.Current.CreateRevision);
        Assert.Equal(v2.ModRevision, delete.Previous?.ModRevision);
        Assert.Equal("last", Text(delete.Previous!));
    }

    [Fact]
    public async Task Watch_FromZero_SeesOnlyWritesAfterItStarted()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        await store.CreateAsync(Prefix + "before", Json("old"), ct);

        await using var watch = store.WatchAsync(Prefix, 0, ct).GetAsyncEnumerator(ct);

        // The first batch proves the watch is established; "before" must not be in it.
        Assert.True(await watch.MoveNextAsync());
        Assert.True(watch.Current.IsProgress);

        var after = await store.CreateAsync(Prefix + "after", Json("new"), ct);
        var events = new List<WatchEvent>();
        while (events.Count == 0 && await watch.MoveNextAsync())
        {
            events.AddRange(watch.Current.Events);
        }

        var only = Assert.Single(events);
        Assert.Equal(after.ModRevision, only.Revision);
    }

    [Fact]
    public async Task Watch_UnderLoad_DeliversEveryWriteOnce_InRevisionOrder()
    {
        using var deadline = TestDeadline.Seconds(120);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        const int writers = 4;
        const int writesPerWriter = 500;
        var from = await store.CurrentRevisionAsync(ct);
        var lastWrite = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watched = Task.Run(() => CollectUntilAsync(store, Prefix, from, lastWrite.Task, ct), ct);

        var written = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var revisions = new List<long>();
            KeyValue? last = null;
            for (var i = 0; i < writesPerWriter; i++)
            {
                // A mix of creates, updates and deletes on each writer's own keys.
                var key = $"{Prefix}w{w}/k{i % 50}";
                last = i % 3 == 2 && last is not null
                    ? await store.UpdateAsync(last.Key, Json($"{w}-{i}"), last.ModRevision, ct)
                    : await CreateOrReplaceAsync(store, key, Json($"{w}-{i}"), ct);
                revisions.Add(last.ModRevision);
            }

            return revisions;
        }, ct)));
        lastWrite.SetResult(written.SelectMany(r => r).Max());

        var events = await watched;
        var revisionsSeen = events.Select(e => e.Revision).ToList();
        Assert.Equal(revisionsSeen.Order(), revisionsSeen);
        Assert.Equal(revisionsSeen.Count, revisionsSeen.Distinct().Count());
        var expected = written.SelectMany(r => r).Order().ToList();
        Assert.True(expected.Count <= revisionsSeen.Count);

        // Every acknowledged write is in the stream; deletes made by CreateOrReplace are the only extra events.
        Assert.Empty(expected.Except(revisionsSeen));
        Assert.All(events.Where(e => !expected.Contains(e.Revision)), e => Assert.Equal(WatchEventType.Delete, e.Type));
    }

    [Fact]
    public async Task Watch_WhenIdle_YieldsProgressAtTheCurrentRevision()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var written = await store.CreateAsync(Prefix + "x", Json("x"), ct);
        await store.CreateAsync("/elsewhere" + Prefix + "y", Json("y"), ct);
        var current = await store.CurrentRevisionAsync(ct);

        await foreach (var batch in store.WatchAsync(Prefix, written.ModRevision, ct))
        {
            Assert.True(batch.IsProgress, "no event under the prefix follows the start revision");
            if (batch.Revision >= current)
            {
                return;
            }
        }
    }

    [Fact]
    public async Task Compaction_MakesOlderRevisionsGone_ForListAndWatch_AndKeepsTheLatestState()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var a = await store.CreateAsync(Prefix + "a", Json("a1"), ct);
        var old = a.ModRevision;
        var a2 = await store.UpdateAsync(Prefix + "a", Json("a2"), a.ModRevision, ct);
        await store.CreateAsync(Prefix + "b", Json("b1"), ct);
        await store.DeleteAsync(Prefix + "b", null, ct);
        var c = await store.CreateAsync(Prefix + "c", Json("c1"), ct);
        var compactAt = c.ModRevision;
        var a3 = await store.UpdateAsync(Prefix + "a", Json("a3"), a2.ModRevision, ct);

        await store.CompactAsync(compactAt, ct);

        var list = await Assert.ThrowsAsync<StorageException>(() => store.ListAsync(Prefix, old, null, 0, ct));
        Assert.Equal(StorageErrorKind.Gone, list.Kind);
        var watch = await Assert.ThrowsAsync<StorageException>(() => CollectAsync(store, Prefix, old, 1, ct));
        Assert.Equal(StorageErrorKind.Gone, watch.Kind);

        // At the compacted revision the state is still complete, and later events still replay.
        var atCompaction = await store.ListAsync(Prefix, compactAt, null, 0, ct);
        Assert.Equal(["a2", "c1"], atCompaction.Items.Select(Text));
        var replay = await CollectAsync(store, Prefix, compactAt, 1, ct);
        Assert.Equal(a3.ModRevision, Assert.Single(replay).Revision);
        Assert.Equal("a2", Text(replay[0].Previous!));
        Assert.Equal(["a3", "c1"], (await store.ListAsync(Prefix, 0, null, 0, ct)).Items.Select(Text));

        // Compacting again at or below is a no-op; beyond the head is refused.
        await store.CompactAsync(compactAt, ct);
        var future = await Assert.ThrowsAsync<StorageException>(() => store.CompactAsync(a3.ModRevision + 1000, ct));
        Assert.Equal(StorageErrorKind.FutureRevision, future.Kind);
    }

    [Fact]
    public async Task List_AtAFutureRevision_IsFutureRevision()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await using var store = await OpenStoreAsync(ct);
        var current = (await store.CreateAsync(Prefix + "a", Json("a"), ct)).ModRevision;

        var e = await Assert.ThrowsAsync<StorageException>(() => store.ListAsync(Prefix, current + 1000, null, 0, ct));
        Assert.Equal(StorageErrorKind.FutureRevision, e.Kind);
    }

    [Fact]
    public async Task Restart_KeepsEverything_AndRevisionsKeepIncreasing()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        long before;
        KeyValue kept;
        await using (var store = await OpenStoreAsync(ct))
        {
            kept = await store.CreateAsync(Prefix + "kept", Json("kept"), ct);
            var gone = await store.CreateAsync(Prefix + "gone", Json("gone"), ct);
            await store.DeleteAsync(gone.Key, null, ct);
            before = await store.CurrentRevisionAsync(ct);
            await store.CompactAsync(before, ct);
        }

        await using (var store = await OpenStoreAsync(ct))
        {
            Assert.True(await store.CurrentRevisionAsync(ct) >= before);
            var got = await store.GetAsync(Prefix + "kept", ct);
            Assert.NotNull(got);
            Assert.Equal(kept, got with { Value = kept.Value });
            Assert.Equal("kept", Text(got!));
            Assert.Null(await store.GetAsync(Prefix + "gone", ct));

            // Even with the newest row compacted away, the next revision is new.
            var next = await store.CreateAsync(Prefix + "gone", Json("again"), ct);
            Assert.True(next.ModRevision > before);
            var e = await Assert.ThrowsAsync<StorageException>(() => store.ListAsync(Prefix, kept.ModRevision, null, 0, ct));
            Assert.Equal(StorageErrorKind.Gone, e.Kind);
            Assert.Equal(["again", "kept"], (await store.ListAsync(Prefix, 0, null, 0, ct)).Items.Select(Text));
        }
    }

    [Fact]
    public async Task Watch_EndsWithUnavailable_WhenTheStoreIsClosed()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        var store = await OpenStoreAsync(ct);
        await using var watch = store.WatchAsync(Prefix, 0, ct).GetAsyncEnumerator(ct);
        Assert.True(await watch.MoveNextAsync());

        var next = watch.MoveNextAsync().AsTask();
        await store.DisposeAsync();

        // A batch already on its way (etcd's progress notification can land just then) may still be delivered; after
        // it the watch must end with Unavailable, never quietly.
        var e = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            if (await next)
            {
                while (await watch.MoveNextAsync())
                {
                }
            }
        });
        Assert.Equal(StorageErrorKind.Unavailable, e.Kind);
    }

    /// <summary>Creates the key, or deletes and recreates it when it is live (each writer owns its keys).</summary>
    private static async Task<KeyValue> CreateOrReplaceAsync(IRevisionedStore store, string key, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        try
        {
            return await store.CreateAsync(key, value, ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.AlreadyExists)
        {
            await store.DeleteAsync(key, e.Current!.ModRevision, ct);
            return await store.CreateAsync(key, value, ct);
        }
    }

    /// <summary>Watches until the watch has passed <paramref name="lastRevision"/> (known only later).</summary>
    private static async Task<List<WatchEvent>> CollectUntilAsync(IRevisionedStore store, string prefix, long fromRevision, Task<long> lastRevision, CancellationToken ct)
    {
        var events = new List<WatchEvent>();
        await foreach (var batch in store.WatchAsync(prefix, fromRevision, ct))
        {
            events.AddRange(batch.Events);
            if (lastRevision.IsCompletedSuccessfully && batch.Revision >= await lastRevision)
            {
                return events;
            }
        }

        return events;
    }

    /// <summary>Watches until <paramref name="count"/> events arrived (the deadline fails the test otherwise).</summary>
    protected static async Task<List<WatchEvent>> CollectAsync(IRevisionedStore store, string prefix, long fromRevision, int count, CancellationToken ct)
    {
        var events = new List<WatchEvent>();
        long lastBatch = fromRevision;
        await foreach (var batch in store.WatchAsync(prefix, fromRevision, ct))
        {
            Assert.True(batch.Revision >= lastBatch, "batch revisions never go back");
            lastBatch = batch.Revision;
            foreach (var e in batch.Events)
            {
                Assert.True(e.Revision > fromRevision);
                Assert.True(e.Revision <= batch.Revision);
                Assert.StartsWith(prefix, e.Current.Key, StringComparison.Ordinal);
            }

            events.AddRange(batch.Events);
            if (events.Count >= count)
            {
                break;
            }
        }

        return events;
    }
}
