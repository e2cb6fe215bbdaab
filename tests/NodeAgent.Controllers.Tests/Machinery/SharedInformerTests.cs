using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Controllers.Machinery;
using NodeAgent.Testing.Common;

namespace NodeAgent.Controllers.Tests.Machinery;

public sealed class SharedInformerTests
{
    [Fact]
    public async Task Lists_then_watches_from_the_list_resourceVersion_and_applies_events()
    {
        using var deadline = TestDeadline.Seconds(20);
        var api = new FakeApiHandler();
        api.EnqueueList(FakeApiHandler.PodList("10", FakeApiHandler.Pod("a", "5"), FakeApiHandler.Pod("b", "6")));
        var watch = api.EnqueueWatch();
        var events = Channel.CreateUnbounded<string>();
        await using var informer = NewInformer(api);
        informer.AddHandler(Recorder(events));
        informer.Start();
        await informer.WaitForSyncAsync(deadline.Token);

        var watchUri = await api.WatchRequests.Reader.ReadAsync(deadline.Token);
        Assert.Contains("resourceVersion=10", watchUri.Query, StringComparison.Ordinal);
        Assert.Contains("allowWatchBookmarks=true", watchUri.Query, StringComparison.Ordinal);
        Assert.Equal(["add default/a", "add default/b"], [await events.Reader.ReadAsync(deadline.Token), await events.Reader.ReadAsync(deadline.Token)]);

        watch.Send(FakeApiHandler.Event("ADDED", FakeApiHandler.Pod("c", "11")));
        watch.Send(FakeApiHandler.Event("MODIFIED", FakeApiHandler.Pod("a", "12")));
        watch.Send(FakeApiHandler.Event("DELETED", FakeApiHandler.Pod("b", "13")));
        Assert.Equal("add default/c", await events.Reader.ReadAsync(deadline.Token));
        Assert.Equal("update default/a 5->12", await events.Reader.ReadAsync(deadline.Token));
        Assert.Equal("delete default/b", await events.Reader.ReadAsync(deadline.Token));
        Assert.Equal(["a", "c"], informer.Cache.List().Select(p => p.Metadata.Name).Order());
        Assert.Equal("13", informer.LastResourceVersion);
    }

    [Fact]
    public async Task A_closed_watch_resumes_from_the_last_bookmark_without_relisting()
    {
        using var deadline = TestDeadline.Seconds(20);
        var api = new FakeApiHandler();
        api.EnqueueList(FakeApiHandler.PodList("10", FakeApiHandler.Pod("a", "5")));
        var first = api.EnqueueWatch();
        api.EnqueueWatch();
        await using var informer = NewInformer(api);
        informer.Start();
        await informer.WaitForSyncAsync(deadline.Token);
        await api.WatchRequests.Reader.ReadAsync(deadline.Token);

        first.Send(FakeApiHandler.Bookmark("42"));
        first.End();

        var resumed = await api.WatchRequests.Reader.ReadAsync(deadline.Token);
        Assert.Contains("resourceVersion=42", resumed.Query, StringComparison.Ordinal);
        Assert.Equal(1, informer.ListCount);
        Assert.Single(informer.Cache.List());
    }

    [Fact]
    public async Task Gone_relists_and_reports_objects_deleted_meanwhile()
    {
        using var deadline = TestDeadline.Seconds(20);
        var api = new FakeApiHandler();
        api.EnqueueList(FakeApiHandler.PodList("10", FakeApiHandler.Pod("a", "5"), FakeApiHandler.Pod("b", "6")));
        var first = api.EnqueueWatch();
        api.EnqueueList(FakeApiHandler.PodList("20", FakeApiHandler.Pod("a", "5"), FakeApiHandler.Pod("d", "19")));
        api.EnqueueWatch();
        var events = Channel.CreateUnbounded<string>();
        await using var informer = NewInformer(api);
        informer.Start();
        await informer.WaitForSyncAsync(deadline.Token);
        informer.AddHandler(Recorder(events));
        await events.Reader.ReadAsync(deadline.Token);
        await events.Reader.ReadAsync(deadline.Token);
        await api.WatchRequests.Reader.ReadAsync(deadline.Token);

        first.Send(FakeApiHandler.Expired());

        var rewatch = await api.WatchRequests.Reader.ReadAsync(deadline.Token);
        Assert.Contains("resourceVersion=20", rewatch.Query, StringComparison.Ordinal);
        Assert.Equal(2, informer.ListCount);
        var seen = new[] { await events.Reader.ReadAsync(deadline.Token), await events.Reader.ReadAsync(deadline.Token) };
        Assert.Equal(["add default/d", "delete default/b"], seen.Order());
        Assert.Equal(["a", "d"], informer.Cache.List().Select(p => p.Metadata.Name).Order());
    }

    [Fact]
    public async Task A_watch_refused_with_410_relists_and_a_failing_list_is_retried()
    {
        using var deadline = TestDeadline.Seconds(20);
        var api = new FakeApiHandler();
        api.EnqueueListError(System.Net.HttpStatusCode.ServiceUnavailable);
        api.EnqueueList(FakeApiHandler.PodList("10", FakeApiHandler.Pod("a", "5")));
        api.EnqueueWatchError(System.Net.HttpStatusCode.Gone);
        api.EnqueueList(FakeApiHandler.PodList("30", FakeApiHandler.Pod("a", "5")));
        api.EnqueueWatch();
        await using var informer = NewInformer(api);
        informer.Start();
        await informer.WaitForSyncAsync(deadline.Token);

        await api.WatchRequests.Reader.ReadAsync(deadline.Token);
        var second = await api.WatchRequests.Reader.ReadAsync(deadline.Token);
        Assert.Contains("resourceVersion=30", second.Query, StringComparison.Ordinal);
        Assert.Equal(2, informer.ListCount);
    }

    [Fact]
    public async Task Indexes_follow_updates()
    {
        var cache = new Indexer<V1Pod>();
        cache.AddIndex("node", p => p.Spec?.NodeName is { } n ? [n] : []);
        cache.Upsert(new V1Pod { Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = "x" }, Spec = new V1PodSpec { NodeName = "n1" } });
        cache.Upsert(new V1Pod { Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = "x" }, Spec = new V1PodSpec { NodeName = "n2" } });
        Assert.Empty(cache.ByIndex("node", "n1"));
        Assert.Single(cache.ByIndex("node", "n2"));
        cache.Remove(new ObjectKey("x", "a"));
        Assert.Empty(cache.ByIndex("node", "n2"));
        await Task.CompletedTask;
    }

    private static SharedInformer<V1Pod> NewInformer(FakeApiHandler api)
        => new(ListWatches.Pods(api.Client()), "pods", TimeProvider.System, NullLogger.Instance) { MaxRetryDelay = TimeSpan.FromMilliseconds(50) };

    private static InformerHandler<V1Pod> Recorder(Channel<string> events) => new()
    {
        OnAdd = p => events.Writer.TryWrite($"add {ObjectKey.For(p)}"),
        OnUpdate = (o, n) => events.Writer.TryWrite($"update {ObjectKey.For(n)} {o.Metadata.ResourceVersion}->{n.Metadata.ResourceVersion}"),
        OnDelete = p => events.Writer.TryWrite($"delete {ObjectKey.For(p)}"),
    };
}
