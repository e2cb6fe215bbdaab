using System.Net;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Http.Streams;

/// <summary>What the API itself answers on the pod stream subresources before any node is involved.</summary>
public sealed class PodStreamEndpointTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    [Fact]
    public async Task Refusals_before_the_node_is_asked()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/pods", Manifests.Pod("pending"), HttpStatusCode.Created, cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/pods", Manifests.Pod("bound", nodeName: "node-1"), HttpStatusCode.Created, cts.Token);

        var missing = await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/pods/none/log", null, HttpStatusCode.NotFound, cts.Token);
        var unscheduled = await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/pods/pending/log", null, HttpStatusCode.BadRequest, cts.Token);
        var noNode = await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/pods/bound/log", null, HttpStatusCode.ServiceUnavailable, cts.Token);
        var method = await api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}/pods/bound/exec", null, HttpStatusCode.MethodNotAllowed, cts.Token);

        Assert.Equal("pods \"none\" not found", missing["message"]!.GetValue<string>());
        Assert.Equal("pod pending does not have a host assigned", unscheduled["message"]!.GetValue<string>());
        Assert.Equal("no node serves streams for pod bound on node node-1", noNode["message"]!.GetValue<string>());
        Assert.Equal("MethodNotAllowed", method["reason"]!.GetValue<string>());
    }
}
