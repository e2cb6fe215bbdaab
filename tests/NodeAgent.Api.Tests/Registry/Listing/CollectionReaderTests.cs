using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Api.Registry;
using NodeAgent.Api.Registry.Listing;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Etcd;
using static NodeAgent.Api.Tests.Registry.Listing.ListingFixtures;

namespace NodeAgent.Api.Tests.Registry.Listing;

/// <summary>List and watch through <see cref="CollectionReader"/> against a real store; run for SQLite and etcd.</summary>
public abstract class CollectionReaderTests : IAsyncLifetime
{
    private TempDirectory? _dir;

    protected IRevisionedStore Store { get; private set; } = null!;

    protected CollectionReader Reader { get; private set; } = null!;

    private ResourceDefinition ConfigMaps { get; } = ConfigMapResource("-" + TestIds.NewPrefix());

    private ResourceDefinition Pods { get; } = PodResource("-" + TestIds.NewPrefix());

    protected abstract Task<IRevisionedStore> OpenStoreAsync(string dataDir, CancellationToken ct);

    public async Task InitializeAsync()
    {
        _dir = new TempDirectory(TestIds.NewPrefix() + "-list");
        using var deadline = TestDeadline.Seconds(30);
        Store = await OpenStoreAsync(_dir.Path, deadline.Token);
        Reader = new CollectionReader(Store, TimeProvider.System, NullLoggerFactory.Instance,
            // Short enough that the stuck watcher's test ends fast, long enough for a reader on a loaded CI machine.
            new CollectionReaderOptions { WatchWriteTimeout = TimeSpan.FromSeconds(2) });
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        _dir?.Dispose();
    }

    [Fact]
    public async Task Paging_over_a_changing_store_is_one_snapshot()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        for (var i = 0; i < 25; i++)
        {
            await CreateAsync(Store, ConfigMaps, ConfigMap("ns", $"cm-{i:D2}"), ct);
        }

        var names = new List<string>();
        string? next = null;
        string? listRevision = null;
        var pages = 0;
        do
        {
            var (context, body) = Request("limit=10" + (next is null ? "" : "&continue=" + next));
            await Reader.ListAsync(context, ConfigMaps, "ns", ct);
            Assert.Equal(200, context.Response.StatusCode);
            var list = Json(body);
            Assert.Equal("ConfigMapList", list["kind"]!.GetValue<string>());
            listRevision ??= list["metadata"]!["resourceVersion"]!.GetValue<string>();
            Assert.Equal(listRevision, list["metadata"]!["resourceVersion"]!.GetValue<string>());
            var items = list["items"]!.AsArray();
            Assert.All(items, item => Assert.Null(item!["kind"]));
            names.AddRange(items.Select(item => item!["metadata"]!["name"]!.GetValue<string>()));
            next = list["metadata"]!["continue"]?.GetValue<string>();
            if (pages++ == 0)
            {
                Assert.Equal(15, list["metadata"]!["remainingItemCount"]!.GetValue<long>());

                // Writes between pages are invisible to the rest of the list.
                await CreateAsync(Store, ConfigMaps, ConfigMap("ns", "cm-99"), ct);
                var doomed = await Store.GetAsync(StoredObjects.Key(ConfigMaps, "ns", "cm-20"), ct);
                await Store.DeleteAsync(doomed!.Key, null, ct);
            }
        }
        while (next is not null);

        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"cm-{i:D2}"), names);
    }

    [Fact]
    public async Task Selectors_filter_lists_and_bad_ones_are_400()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await CreateAsync(Store, Pods, Pod("a", "p1", "Running"), ct);
        await CreateAsync(Store, Pods, Pod("b", "p2", "Pending"), ct);
        await CreateAsync(Store, Pods, Pod("b", "p3", "Running"), ct);

        var (context, body) = Request("fieldSelector=status.phase%3DRunning&limit=1");
        await Reader.ListAsync(context, Pods, null, ct);
        var first = Json(body);
        Assert.Equal("p1", first["items"]![0]!["metadata"]!["name"]!.GetValue<string>());
        Assert.Null(first["metadata"]!["remainingItemCount"]);
        (context, body) = Request("fieldSelector=status.phase%3DRunning&limit=1&continue=" + first["metadata"]!["continue"]!.GetValue<string>());
        await Reader.ListAsync(context, Pods, null, ct);
        Assert.Equal("p3", Json(body)["items"]![0]!["metadata"]!["name"]!.GetValue<string>());

        (context, body) = Request("fieldSelector=spec.bogus%3Dx");
        await Reader.ListAsync(context, Pods, null, ct);
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("field label not supported: spec.bogus", Json(body)["message"]!.GetValue<string>());

        (context, body) = Request("labelSelector=app+in+web");
        await Reader.ListAsync(context, Pods, null, ct);
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("BadRequest", Json(body)["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Compacted_revisions_are_410_Expired()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        var first = await CreateAsync(Store, ConfigMaps, ConfigMap("ns", "a"), ct);
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(Store, ConfigMaps, ConfigMap("ns", $"b{i}"), ct);
        }

        var (context, body) = Request("limit=2");
        await Reader.ListAsync(context, ConfigMaps, "ns", ct);
        var token = Json(body)["metadata"]!["continue"]!.GetValue<string>();
        var written = await Store.UpdateAsync(first.Key, StoredObjects.Encode(ConfigMap("ns", "a", value: "x")), first.ModRevision, ct);
        await Store.CompactAsync(written.ModRevision, ct);

        (context, body) = Request("continue=" + token);
        await Reader.ListAsync(context, ConfigMaps, "ns", ct);
        Assert.Equal(410, context.Response.StatusCode);
        var status = Json(body);
        Assert.Equal("Expired", status["reason"]!.GetValue<string>());
        Assert.StartsWith("The provided continue parameter is too old", status["message"]!.GetValue<string>());
        Assert.NotNull(status["metadata"]!["continue"]);

        (context, body) = Request($"resourceVersion={first.ModRevision}&resourceVersionMatch=Exact");
        await Reader.ListAsync(context, ConfigMaps, "ns", ct);
        Assert.Equal(410, context.Response.StatusCode);
        Assert.Equal("The resourceVersion for the provided list is too old.", Json(body)["message"]!.GetValue<string>());

        await using var watch = Watch($"resourceVersion={first.ModRevision}");
        watch.Start((c, t) => Reader.WatchAsync(c, ConfigMaps, "ns", null, t), ct);
        var error = await watch.NextAsync(ct);
        Assert.Equal("ERROR", error!["type"]!.GetValue<string>());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.GetValue<string>());
        Assert.Null(await watch.NextAsync(ct));
    }

    [Fact]
    public async Task Concurrent_watchers_see_every_revision_in_order()
    {
        using var deadline = TestDeadline.Seconds(120);
        var ct = deadline.Token;
        const int Writes = 2000;
        var start = await Store.CurrentRevisionAsync(ct);
        var watchers = Enumerable.Range(0, 5).Select(_ => Watch($"resourceVersion={start}")).ToList();
        foreach (var w in watchers)
        {
            w.Start((c, t) => Reader.WatchAsync(c, ConfigMaps, null, null, t), ct);
        }

        var readers = watchers.Select(w => Task.Run(async () =>
        {
            var revisions = new List<long>();
            while (revisions.Count < Writes)
            {
                var e = await w.NextAsync(ct);
                Assert.NotNull(e);
                revisions.Add(long.Parse(e!["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            }

            return revisions;
        }, ct)).ToList();

        var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < Writes / 4; i++)
            {
                await CreateAsync(Store, ConfigMaps, ConfigMap($"ns{writer}", $"cm-{i}"), ct);
            }
        }, ct));
        await Task.WhenAll(writers);
        var expected = Enumerable.Range(0, Writes).Select(i => start + 1 + i).ToList();
        foreach (var seen in await Task.WhenAll(readers))
        {
            Assert.Equal(expected, seen);
        }

        foreach (var w in watchers)
        {
            await w.DisposeAsync();
        }
    }

    [Fact]
    public async Task Selector_transitions_initial_events_and_bookmarks()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        var existing = await CreateAsync(Store, ConfigMaps, ConfigMap("ns", "old", new() { ["app"] = "web" }), ct);
        await using var watch = Watch("labelSelector=app%3Dweb&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
        watch.Start((c, t) => Reader.WatchAsync(c, ConfigMaps, "ns", null, t), ct);

        var initial = await watch.NextAsync(ct);
        Assert.Equal(("ADDED", "old"), (initial!["type"]!.GetValue<string>(), initial["object"]!["metadata"]!["name"]!.GetValue<string>()));
        var end = await watch.NextAsync(ct);
        Assert.Equal("BOOKMARK", end!["type"]!.GetValue<string>());
        Assert.Equal("true", end["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.GetValue<string>());
        Assert.Equal(existing.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture), end["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>());

        var other = await CreateAsync(Store, ConfigMaps, ConfigMap("ns", "x", new() { ["app"] = "db" }), ct);
        var joined = await Store.UpdateAsync(other.Key, StoredObjects.Encode(ConfigMap("ns", "x", new() { ["app"] = "web" })), other.ModRevision, ct);
        var left = await Store.UpdateAsync(other.Key, StoredObjects.Encode(ConfigMap("ns", "x", new() { ["app"] = "db" })), joined.ModRevision, ct);
        var gone = await Store.DeleteAsync(existing.Key, null, ct);

        var added = await NextNonBookmarkAsync(watch, ct);
        Assert.Equal(("ADDED", "x", joined.ModRevision), Describe(added));
        var deleted = await NextNonBookmarkAsync(watch, ct);
        Assert.Equal(("DELETED", "x", left.ModRevision), Describe(deleted));
        Assert.Equal("web", deleted["object"]!["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Equal(("DELETED", "old", gone.ModRevision), Describe(await NextNonBookmarkAsync(watch, ct)));

        // Idle: the store's progress notifications arrive as bookmarks with only a resourceVersion.
        var bookmark = await watch.NextAsync(ct);
        Assert.Equal("BOOKMARK", bookmark!["type"]!.GetValue<string>());
        Assert.Equal(["kind", "apiVersion", "metadata"], bookmark["object"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task A_slow_watcher_is_ended_and_does_not_stall_others()
    {
        using var deadline = TestDeadline.Seconds(60);
        var ct = deadline.Token;
        var start = await Store.CurrentRevisionAsync(ct);
        await using var stuck = Watch($"resourceVersion={start}", body: new StuckStream());
        stuck.Start((c, t) => Reader.WatchAsync(c, ConfigMaps, null, null, t), ct);
        await using var healthy = Watch($"resourceVersion={start}");
        healthy.Start((c, t) => Reader.WatchAsync(c, ConfigMaps, null, null, t), ct);

        // The healthy client reads while the objects are created, as a real one does: 50 events of 4 KB are more
        // than the pipe holds, and a reader that only starts afterwards would itself be ended as slow.
        var received = Task.Run(async () =>
        {
            var types = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                types.Add((await healthy.NextAsync(ct))!["type"]!.GetValue<string>());
            }

            return types;
        }, ct);
        for (var i = 0; i < 50; i++)
        {
            await CreateAsync(Store, ConfigMaps, ConfigMap("ns", $"cm-{i}", value: new string('x', 4096)), ct);
        }

        Assert.All(await received, type => Assert.Equal("ADDED", type));

        await stuck.Running!.WaitAsync(ct);
    }

    [Fact]
    public async Task Table_watch_events_are_one_row_tables_with_columns_once()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await CreateAsync(Store, ConfigMaps, ConfigMap("ns", "a"), ct);
        await CreateAsync(Store, ConfigMaps, ConfigMap("ns", "b"), ct);
        await using var watch = Watch("", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        watch.Start((c, t) => Reader.WatchAsync(c, ConfigMaps, "ns", null, t), ct);

        var first = (await watch.NextAsync(ct))!["object"]!;
        Assert.Equal("Table", first["kind"]!.GetValue<string>());
        Assert.Equal(["Name", "Age"], first["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("a", first["rows"]![0]!["cells"]![0]!.GetValue<string>());
        Assert.Equal("PartialObjectMetadata", first["rows"]![0]!["object"]!["kind"]!.GetValue<string>());
        var second = (await watch.NextAsync(ct))!["object"]!;
        Assert.Null(second["columnDefinitions"]);
        Assert.Equal("b", second["rows"]![0]!["cells"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_watch_on_one_name_sees_only_it_and_ends_at_timeoutSeconds()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        var a = await CreateAsync(Store, ConfigMaps, ConfigMap("ns", "a"), ct);
        var ab = await CreateAsync(Store, ConfigMaps, ConfigMap("ns", "ab"), ct);
        await using var watch = Watch("timeoutSeconds=2");
        watch.Start((c, t) => Reader.WatchAsync(c, ConfigMaps, "ns", "a", t), ct);

        Assert.Equal(("ADDED", "a", a.ModRevision), Describe((await watch.NextAsync(ct))!));
        await Store.UpdateAsync(ab.Key, StoredObjects.Encode(ConfigMap("ns", "ab", value: "2")), ab.ModRevision, ct);
        var changed = await Store.UpdateAsync(a.Key, StoredObjects.Encode(ConfigMap("ns", "a", value: "2")), a.ModRevision, ct);
        Assert.Equal(("MODIFIED", "a", changed.ModRevision), Describe((await watch.NextAsync(ct))!));
        Assert.Null(await watch.NextAsync(ct));
        await watch.Running!.WaitAsync(ct);
    }

    [Fact]
    public async Task Lists_are_served_as_tables_and_metadata()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        await CreateAsync(Store, ConfigMaps, ConfigMap("ns", "a"), ct);
        var (context, body) = Request("includeObject=Object", "application/json;as=Table;v=v1;g=meta.k8s.io");
        await Reader.ListAsync(context, ConfigMaps, null, ct);
        var table = Json(body);
        Assert.Equal("meta.k8s.io/v1", table["apiVersion"]!.GetValue<string>());
        Assert.Equal("ConfigMap", table["rows"]![0]!["object"]!["kind"]!.GetValue<string>());

        (context, body) = Request("", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io");
        await Reader.ListAsync(context, ConfigMaps, null, ct);
        var list = Json(body);
        Assert.Equal("PartialObjectMetadataList", list["kind"]!.GetValue<string>());
        Assert.Null(list["items"]![0]!["data"]);

        (context, body) = Request("", "application/yaml");
        await Reader.ListAsync(context, ConfigMaps, null, ct);
        Assert.Contains("kind: ConfigMapList", System.Text.Encoding.UTF8.GetString(body.ToArray()), StringComparison.Ordinal);
    }

    private static async Task<JsonObject> NextNonBookmarkAsync(WatchClient watch, CancellationToken ct)
    {
        while (true)
        {
            var e = await watch.NextAsync(ct);
            Assert.NotNull(e);
            if (e!["type"]!.GetValue<string>() != "BOOKMARK")
            {
                return e;
            }
        }
    }

    private static (string, string, long) Describe(JsonObject e) => (
        e["type"]!.GetValue<string>(),
        e["object"]!["metadata"]!["name"]!.GetValue<string>(),
        long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A client that never reads: every write waits until cancelled.</summary>
    private sealed class StuckStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            => await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

public sealed class SqliteCollectionReaderTests : CollectionReaderTests
{
    protected override Task<IRevisionedStore> OpenStoreAsync(string dataDir, CancellationToken ct) => StorageFactory.OpenAsync(
        "sqlite", dataDir, new StorageOptions { WatchProgressInterval = TimeSpan.FromMilliseconds(300) }, NullLoggerFactory.Instance, ct);
}

public sealed class EtcdCollectionReaderTests(EtcdFixture etcd) : CollectionReaderTests, IClassFixture<EtcdFixture>
{
    protected override Task<IRevisionedStore> OpenStoreAsync(string dataDir, CancellationToken ct)
        => StorageFactory.OpenAsync(etcd.Endpoint, dataDir, NullLoggerFactory.Instance, ct);
}
