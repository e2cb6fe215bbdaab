using System.Net;
using System.Text.Json.Nodes;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Http;

public sealed class CreateAndGetTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static string ConfigMap(string name, string extra = "") =>
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"{{{extra}}}},"data":{"a":"1"}}""";

    [Fact]
    public async Task Create_fills_server_metadata_and_get_returns_the_stored_object()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var created = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", ConfigMap("one"), HttpStatusCode.Created, cts.Token);
        var meta = created["metadata"]!.AsObject();
        Assert.Equal(ns, meta["namespace"]!.GetValue<string>());
        Assert.True(Guid.TryParse(meta["uid"]!.GetValue<string>(), out _));
        Assert.NotNull(meta["creationTimestamp"]);
        Assert.NotNull(meta["resourceVersion"]);
        Assert.Null(meta["generation"]);
        var managed = Assert.Single(meta["managedFields"]!.AsArray())!.AsObject();
        Assert.Equal("Update", managed["operation"]!.GetValue<string>());

        var got = await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/configmaps/one", null, HttpStatusCode.OK, cts.Token);
        Assert.True(JsonNode.DeepEquals(created, got), got.ToJsonString());
    }

    [Fact]
    public async Task GenerateName_gets_a_five_character_suffix()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"gen-"}}""";

        var created = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", body, HttpStatusCode.Created, cts.Token);

        Assert.Matches("^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$", created["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Apps_kinds_start_at_generation_one()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var created = await api.SendJsonAsync(HttpMethod.Post, $"apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", 1), HttpStatusCode.Created, cts.Token);

        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());
        Assert.Null(created["status"]);
    }

    [Fact]
    public async Task Creating_twice_is_409_AlreadyExists()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", ConfigMap("dup"), HttpStatusCode.Created, cts.Token);

        var status = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", ConfigMap("dup"), HttpStatusCode.Conflict, cts.Token);

        Assert.Equal("AlreadyExists", status["reason"]!.GetValue<string>());
        Assert.Equal("configmaps \"dup\" already exists", status["message"]!.GetValue<string>());
        Assert.Equal("configmaps", status["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task DryRun_create_returns_the_object_and_stores_nothing()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var created = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps?dryRun=All", ConfigMap("dry"), HttpStatusCode.Created, cts.Token);

        Assert.Equal("dry", created["metadata"]!["name"]!.GetValue<string>());
        Assert.Null(created["metadata"]!["resourceVersion"]);
        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/configmaps/dry", null, HttpStatusCode.NotFound, cts.Token);
    }

    [Fact]
    public async Task System_namespaces_exist_after_start()
    {
        using var cts = TestDeadline.Seconds(30);
        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            var ns = await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{name}", null, HttpStatusCode.OK, cts.Token);
            Assert.Equal("Active", ns["status"]!["phase"]!.GetValue<string>());
            Assert.Equal("kubernetes", ns["spec"]!["finalizers"]![0]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Requests_without_a_token_are_401()
    {
        using var cts = TestDeadline.Seconds(30);
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/namespaces/default");
        request.Headers.Authorization = null;
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var anonymous = new HttpClient(handler) { BaseAddress = api.BaseAddress };

        using var response = await anonymous.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
