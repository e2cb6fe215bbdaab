using System.Net;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Http;

public sealed class SubresourceTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    [Fact]
    public async Task Scale_reads_and_writes_replicas_with_the_selector_as_a_string()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", 2), HttpStatusCode.Created, cts.Token);
        var path = $"apis/apps/v1/namespaces/{ns}/deployments/web/scale";

        var scale = await api.SendJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.OK, cts.Token);
        var staleBody = scale.DeepClone().AsObject();
        scale["spec"]!["replicas"] = 4;
        var updated = await api.SendJsonAsync(HttpMethod.Put, path, scale.ToJsonString(), HttpStatusCode.OK, cts.Token);
        staleBody["spec"]!["replicas"] = 1;
        var stale = await api.SendJsonAsync(HttpMethod.Put, path, staleBody.ToJsonString(), HttpStatusCode.Conflict, cts.Token);
        var negative = await api.SendJsonAsync(HttpMethod.Patch, path, """{"spec":{"replicas":-1}}""", HttpStatusCode.UnprocessableEntity, cts.Token, "application/merge-patch+json");
        var deployment = await api.SendJsonAsync(HttpMethod.Get, $"apis/apps/v1/namespaces/{ns}/deployments/web", null, HttpStatusCode.OK, cts.Token);

        Assert.Equal("autoscaling/v1", scale["apiVersion"]!.GetValue<string>());
        Assert.Equal("Scale", scale["kind"]!.GetValue<string>());
        Assert.Equal("app=web", scale["status"]!["selector"]!.GetValue<string>());
        Assert.Equal(4, updated["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("Conflict", stale["reason"]!.GetValue<string>());
        Assert.Equal("spec.replicas", negative["details"]!["causes"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(4, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, deployment["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task Binding_assigns_a_node_once()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/pods", Manifests.Pod("p"), HttpStatusCode.Created, cts.Token);
        var binding = """{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p"},"target":{"apiVersion":"v1","kind":"Node","name":"node-1"}}""";

        var ok = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/pods/p/binding", binding, HttpStatusCode.Created, cts.Token);
        var again = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/pods/p/binding", binding, HttpStatusCode.Conflict, cts.Token);
        var pod = await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/pods/p", null, HttpStatusCode.OK, cts.Token);

        Assert.Equal("Success", ok["status"]!.GetValue<string>());
        Assert.Equal("Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"node-1\"", again["message"]!.GetValue<string>());
        Assert.Equal("node-1", pod["spec"]!["nodeName"]!.GetValue<string>());
        Assert.Contains(pod["status"]!["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "PodScheduled" && c["status"]!.GetValue<string>() == "True");
    }

    [Fact]
    public async Task Subresources_a_kind_does_not_have_are_404()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"}}""", HttpStatusCode.Created, cts.Token);

        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/configmaps/c/status", null, HttpStatusCode.NotFound, cts.Token);
        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/configmaps/c/scale", null, HttpStatusCode.NotFound, cts.Token);
    }
}
