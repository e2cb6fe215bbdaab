using System.Net;
using System.Text.Json.Nodes;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Http;

public sealed class DeleteTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    [Fact]
    public async Task A_plain_delete_answers_Success_with_details_and_removes_the_object()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var created = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"gone"}}""", HttpStatusCode.Created, cts.Token);

        var status = await api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}/configmaps/gone", null, HttpStatusCode.OK, cts.Token);

        Assert.Equal("Success", status["status"]!.GetValue<string>());
        Assert.Equal("gone", status["details"]!["name"]!.GetValue<string>());
        Assert.Equal("configmaps", status["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), status["details"]!["uid"]!.GetValue<string>());
        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/configmaps/gone", null, HttpStatusCode.NotFound, cts.Token);
    }

    [Fact]
    public async Task Finalizers_keep_the_object_until_an_update_removes_them()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var path = $"api/v1/namespaces/{ns}/configmaps/held";
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"held","finalizers":["example.com/hold"]}}""", HttpStatusCode.Created, cts.Token);

        var lingering = await api.SendJsonAsync(HttpMethod.Delete, path, null, HttpStatusCode.OK, cts.Token);
        var again = await api.SendJsonAsync(HttpMethod.Delete, path, null, HttpStatusCode.OK, cts.Token);
        var labelled = await api.SendJsonAsync(HttpMethod.Patch, path, """{"metadata":{"labels":{"still":"here"}}}""", HttpStatusCode.OK, cts.Token, "application/merge-patch+json");
        await api.SendJsonAsync(HttpMethod.Patch, path, """{"metadata":{"finalizers":null}}""", HttpStatusCode.OK, cts.Token, "application/merge-patch+json");

        Assert.Equal("ConfigMap", lingering["kind"]!.GetValue<string>());
        Assert.NotNull(lingering["metadata"]!["deletionTimestamp"]);
        Assert.Equal(0, lingering["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<long>());
        Assert.Equal(lingering["metadata"]!["resourceVersion"]!.GetValue<string>(), again["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(lingering["metadata"]!["deletionTimestamp"]!.GetValue<string>(), labelled["metadata"]!["deletionTimestamp"]!.GetValue<string>());
        await api.SendJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.NotFound, cts.Token);
    }

    [Fact]
    public async Task A_pod_bound_to_a_node_is_deleted_gracefully_and_the_node_finishes_it()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var path = $"api/v1/namespaces/{ns}/pods/bound";
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/pods", Manifests.Pod("bound", nodeName: "node-1"), HttpStatusCode.Created, cts.Token);

        var lingering = await api.SendJsonAsync(HttpMethod.Delete, path, """{"gracePeriodSeconds":20}""", HttpStatusCode.OK, cts.Token);
        var shorter = await api.SendJsonAsync(HttpMethod.Delete, path + "?gracePeriodSeconds=5", null, HttpStatusCode.OK, cts.Token);
        var finished = await api.SendJsonAsync(HttpMethod.Delete, path + "?gracePeriodSeconds=0", null, HttpStatusCode.OK, cts.Token);

        Assert.Equal(20, lingering["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<long>());
        var deadline = DateTimeOffset.Parse(lingering["metadata"]!["deletionTimestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(deadline - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(21));
        Assert.Equal(5, shorter["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<long>());
        // A finished pod deletion answers with the deleted pod, as upstream's pods do.
        Assert.Equal("Pod", finished["kind"]!.GetValue<string>());
        Assert.NotNull(finished["metadata"]!["deletionTimestamp"]);
        await api.SendJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.NotFound, cts.Token);
    }

    [Fact]
    public async Task An_unbound_pod_goes_at_once()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/pods", Manifests.Pod("loose"), HttpStatusCode.Created, cts.Token);

        var deleted = await api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}/pods/loose", null, HttpStatusCode.OK, cts.Token);

        Assert.Equal("Pod", deleted["kind"]!.GetValue<string>());
        Assert.Equal("loose", deleted["metadata"]!["name"]!.GetValue<string>());
        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/pods/loose", null, HttpStatusCode.NotFound, cts.Token);
    }

    [Fact]
    public async Task Preconditions_that_do_not_hold_are_409()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"pre"}}""", HttpStatusCode.Created, cts.Token);
        var path = $"api/v1/namespaces/{ns}/configmaps/pre";

        var uid = await api.SendJsonAsync(HttpMethod.Delete, path, """{"preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}""", HttpStatusCode.Conflict, cts.Token);
        var rv = await api.SendJsonAsync(HttpMethod.Delete, path, """{"preconditions":{"resourceVersion":"1"}}""", HttpStatusCode.Conflict, cts.Token);

        Assert.StartsWith("Operation cannot be fulfilled on configmaps \"pre\": Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: ", uid["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("Operation cannot be fulfilled on configmaps \"pre\": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ", rv["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await api.SendJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.OK, cts.Token);
    }

    [Fact]
    public async Task DryRun_delete_leaves_the_object()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"stay"}}""", HttpStatusCode.Created, cts.Token);

        await api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}/configmaps/stay?dryRun=All", null, HttpStatusCode.OK, cts.Token);

        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/configmaps/stay", null, HttpStatusCode.OK, cts.Token);
    }

    [Fact]
    public async Task Deleting_a_namespace_deletes_its_content_then_the_namespace()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"a"}}""", HttpStatusCode.Created, cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", 1), HttpStatusCode.Created, cts.Token);
        await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/pods", Manifests.Pod("running", nodeName: "node-1"), HttpStatusCode.Created, cts.Token);

        var terminating = await api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}", null, HttpStatusCode.OK, cts.Token);

        Assert.Equal("Terminating", terminating["status"]!["phase"]!.GetValue<string>());
        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/configmaps/a", null, HttpStatusCode.NotFound, cts.Token);
        await api.SendJsonAsync(HttpMethod.Get, $"apis/apps/v1/namespaces/{ns}/deployments/web", null, HttpStatusCode.NotFound, cts.Token);
        var pod = await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/pods/running", null, HttpStatusCode.OK, cts.Token);
        Assert.NotNull(pod["metadata"]!["deletionTimestamp"]);
        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}", null, HttpStatusCode.OK, cts.Token);

        // The node finishes the pod; the now empty namespace goes with it.
        await api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}/pods/running?gracePeriodSeconds=0", null, HttpStatusCode.OK, cts.Token);
        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}", null, HttpStatusCode.NotFound, cts.Token);
    }

    [Fact]
    public async Task Deletecollection_removes_what_the_label_selector_matches()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        foreach (var (name, tier) in new[] { ("a", "web"), ("b", "web"), ("c", "db") })
        {
            await api.SendJsonAsync(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps", $$$$"""{"metadata":{"name":"{{{{name}}}}","labels":{"tier":"{{{{tier}}}}"}}}""", HttpStatusCode.Created, cts.Token);
        }

        var list = await api.SendJsonAsync(HttpMethod.Delete, $"api/v1/namespaces/{ns}/configmaps?labelSelector=tier%20in%20(web)", null, HttpStatusCode.OK, cts.Token);

        Assert.Equal("ConfigMapList", list["kind"]!.GetValue<string>());
        Assert.Equal(["a", "b"], list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/configmaps/a", null, HttpStatusCode.NotFound, cts.Token);
        await api.SendJsonAsync(HttpMethod.Get, $"api/v1/namespaces/{ns}/configmaps/c", null, HttpStatusCode.OK, cts.Token);
    }
}
