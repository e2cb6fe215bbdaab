using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Api.Registry;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Storage;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Etcd;

namespace NodeAgent.Api.Tests.Registry;

/// <summary>
/// The create path's namespace check, served by <see cref="NamespaceCache"/>, against a real API server over HTTP on
/// each backend: what it answers must not depend on whether the cache has caught up yet.
/// </summary>
public abstract class NamespaceCacheTests : IAsyncLifetime
{
    private readonly ApiServerFixture _api = new();

    protected abstract Task<IRevisionedStore> OpenStoreAsync(string dataDir, CancellationToken ct);

    public Task InitializeAsync() => _api.StartAsync(OpenStoreAsync);

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Content_is_accepted_right_after_its_namespace_is_created()
    {
        using var deadline = TestDeadline.Seconds(60);
        for (var i = 0; i < 20; i++)
        {
            var ns = await _api.NewNamespaceAsync(deadline.Token);
            await _api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"first"}}""", HttpStatusCode.Created, deadline.Token);
        }
    }

    [Fact]
    public async Task A_namespace_written_behind_the_servers_back_is_found_by_the_storage_read()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ns = TestIds.NewPrefix();

        // Straight into the store: only the watch would tell the cache, and the create does not wait for it.
        await _api.Store.CreateAsync(NamespaceKey(ns), StoredObjects.Encode(Namespace(ns, "Active")), deadline.Token);

        await _api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"first"}}""", HttpStatusCode.Created, deadline.Token);
    }

    [Fact]
    public async Task Content_in_a_namespace_being_deleted_is_refused_at_once()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ns = await _api.NewNamespaceAsync(deadline.Token);
        await _api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"held","finalizers":["example.com/hold"]}}""", HttpStatusCode.Created, deadline.Token);
        await _api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}", null, HttpStatusCode.OK, deadline.Token);

        var status = await _api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"late"}}""", HttpStatusCode.Forbidden, deadline.Token);

        Assert.Equal("Forbidden", status["reason"]!.GetValue<string>());
        Assert.Equal($"configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", status["message"]!.GetValue<string>());
        Assert.Equal("NamespaceTerminating", status["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Content_in_a_deleted_namespace_is_not_found_at_once()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ns = await _api.NewNamespaceAsync(deadline.Token);
        await _api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"before"}}""", HttpStatusCode.Created, deadline.Token);
        await _api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}", null, HttpStatusCode.OK, deadline.Token);
        await _api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}", null, HttpStatusCode.NotFound, deadline.Token);

        var status = await _api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"after"}}""", HttpStatusCode.NotFound, deadline.Token);

        Assert.Equal("NotFound", status["reason"]!.GetValue<string>());
        Assert.Equal($"namespaces \"{ns}\" not found", status["message"]!.GetValue<string>());
        Assert.Equal("namespaces", status["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_namespace_marked_terminating_behind_the_servers_back_is_refused_once_the_watch_brings_it()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ns = await _api.NewNamespaceAsync(deadline.Token);
        var live = await _api.Store.GetAsync(NamespaceKey(ns), deadline.Token);
        await _api.Store.UpdateAsync(live!.Key, StoredObjects.Encode(Namespace(ns, "Terminating")), live.ModRevision, deadline.Token);

        var attempt = 0;
        await Eventually.UntilAsync(
            async ct =>
            {
                using var response = await _api.SendAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", $$$"""{"metadata":{"name":"cm-{{{attempt++}}}"}}""", ct);
                Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Forbidden, $"got {(int)response.StatusCode}");
                return response.StatusCode == HttpStatusCode.Forbidden;
            },
            "a create refused with 403 after the namespace turned Terminating",
            deadline.Token);
    }

    [Fact]
    public async Task The_cache_moves_only_forward_and_misses_what_it_has_not_seen()
    {
        using var deadline = TestDeadline.Seconds(30);
        var ct = deadline.Token;
        var ns = TestIds.NewPrefix();
        var created = await _api.Store.CreateAsync(NamespaceKey(ns), StoredObjects.Encode(Namespace(ns, "Active")), ct);
        await using var cache = new NamespaceCache(_api.Store, "/registry/namespaces/", TimeProvider.System, NullLoggerFactory.Instance);
        Assert.False(cache.TryGet(ns, out _)); // not started: every check goes to the store

        await cache.StartAsync(ct);
        Assert.True(cache.TryGet(ns, out var terminating));
        Assert.False(terminating);
        Assert.False(cache.TryGet(TestIds.NewPrefix(), out _));

        var removed = await _api.Store.DeleteAsync(created.Key, null, ct);
        cache.ObserveRemoved(removed.Key, removed.ModRevision);
        Assert.False(cache.TryGet(ns, out _));

        // A stale value (a late event, a slow read) cannot bring a deleted namespace back.
        cache.Observe(created);
        Assert.False(cache.TryGet(ns, out _));

        // Created again behind its back: the watch brings it.
        await _api.Store.CreateAsync(NamespaceKey(ns), StoredObjects.Encode(Namespace(ns, "Active")), ct);
        await Eventually.UntilAsync(_ => Task.FromResult(cache.TryGet(ns, out bool _)), "the watch to bring the recreated namespace", ct);
    }

    private static string NamespaceKey(string name) => "/registry/namespaces/" + name;

    private static JsonObject Namespace(string name, string phase) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name, ["uid"] = Guid.NewGuid().ToString() },
        ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
        ["status"] = new JsonObject { ["phase"] = phase },
    };
}

public sealed class SqliteNamespaceCacheTests : NamespaceCacheTests
{
    protected override Task<IRevisionedStore> OpenStoreAsync(string dataDir, CancellationToken ct)
        => StorageFactory.OpenAsync("sqlite", dataDir, NullLoggerFactory.Instance, ct);
}

public sealed class EtcdNamespaceCacheTests(EtcdFixture etcd) : NamespaceCacheTests, IClassFixture<EtcdFixture>
{
    [Fact]
    public async Task After_an_etcd_restart_the_cache_lists_and_watches_again()
    {
        using var deadline = TestDeadline.Seconds(90);
        var ct = deadline.Token;
        await using var own = await EtcdFixture.StartNewAsync(EtcdOptions.Default, ct);
        await using var store = await StorageFactory.OpenAsync(own.Endpoint, "", NullLoggerFactory.Instance, ct);
        await using var cache = new NamespaceCache(store, "/registry/namespaces/", TimeProvider.System, NullLoggerFactory.Instance);
        await cache.StartAsync(ct);

        await own.RestartAsync(ct);

        // Written after the restart, behind the cache's back: only a new watch can bring it.
        var ns = TestIds.NewPrefix();
        await Eventually.UntilAsync(
            async probe =>
            {
                try
                {
                    await store.CreateAsync("/registry/namespaces/" + ns, StoredObjects.Encode(new JsonObject
                    {
                        ["apiVersion"] = "v1",
                        ["kind"] = "Namespace",
                        ["metadata"] = new JsonObject { ["name"] = ns, ["deletionTimestamp"] = "2026-01-01T00:00:00Z" },
                        ["status"] = new JsonObject { ["phase"] = "Terminating" },
                    }), probe);
                    return true;
                }
                catch (StorageException e) when (e.Kind == StorageErrorKind.Unavailable)
                {
                    return false;
                }
            },
            "etcd to take writes after its restart",
            ct);

        await Eventually.UntilAsync(_ => Task.FromResult(cache.TryGet(ns, out var terminating) && terminating), "the cache to see the terminating namespace", ct);
    }

    protected override Task<IRevisionedStore> OpenStoreAsync(string dataDir, CancellationToken ct)
        => StorageFactory.OpenAsync(etcd.Endpoint, dataDir, NullLoggerFactory.Instance, ct);
}
