using System.Net;
using System.Text.Json.Nodes;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Http;

public sealed class UpdateTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private async Task<(string Ns, JsonObject Created)> DeploymentAsync(CancellationToken ct)
    {
        var ns = await api.NewNamespaceAsync(ct);
        var created = await api.SendJsonAsync(HttpMethod.Post, $"apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", 1), HttpStatusCode.Created, ct);
        return (ns, created);
    }

    [Fact]
    public async Task A_stale_resourceVersion_is_409_Conflict()
    {
        using var cts = TestDeadline.Seconds(30);
        var (ns, created) = await DeploymentAsync(cts.Token);
        var path = $"apis/apps/v1/namespaces/{ns}/deployments/web";
        var first = created.DeepClone().AsObject();
        first["spec"]!["replicas"] = 2;
        await api.SendJsonAsync(HttpMethod.Put, path, first.ToJsonString(), HttpStatusCode.OK, cts.Token);

        var stale = created.DeepClone().AsObject();
        stale["spec"]!["replicas"] = 5;
        var status = await api.SendJsonAsync(HttpMethod.Put, path, stale.ToJsonString(), HttpStatusCode.Conflict, cts.Token);

        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
        Assert.Equal("Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_put_without_resourceVersion_is_unconditional()
    {
        using var cts = TestDeadline.Seconds(30);
        var (ns, created) = await DeploymentAsync(cts.Token);
        var body = created.DeepClone().AsObject();
        body["metadata"]!.AsObject().Remove("resourceVersion");
        body["spec"]!["replicas"] = 4;

        var updated = await api.SendJsonAsync(HttpMethod.Put, $"apis/apps/v1/namespaces/{ns}/deployments/web", body.ToJsonString(), HttpStatusCode.OK, cts.Token);

        Assert.Equal(4, updated["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Generation_counts_spec_changes_only()
    {
        using var cts = TestDeadline.Seconds(30);
        var (ns, created) = await DeploymentAsync(cts.Token);
        var path = $"apis/apps/v1/namespaces/{ns}/deployments/web";

        var labelled = await api.SendJsonAsync(HttpMethod.Patch, path, """{"metadata":{"labels":{"tier":"front"}}}""", HttpStatusCode.OK, cts.Token, "application/merge-patch+json");
        var scaled = await api.SendJsonAsync(HttpMethod.Patch, path, """{"spec":{"replicas":3}}""", HttpStatusCode.OK, cts.Token, "application/merge-patch+json");
        var statusOnly = await api.SendJsonAsync(HttpMethod.Patch, path + "/status", """{"status":{"replicas":3}}""", HttpStatusCode.OK, cts.Token, "application/merge-patch+json");

        Assert.Equal(1, labelled["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal(2, scaled["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal(2, statusOnly["metadata"]!["generation"]!.GetValue<long>());
        Assert.NotEqual(created["metadata"]!["resourceVersion"]!.GetValue<string>(), labelled["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Main_resource_writes_keep_status_and_status_writes_change_only_status()
    {
        using var cts = TestDeadline.Seconds(30);
        var (ns, _) = await DeploymentAsync(cts.Token);
        var path = $"apis/apps/v1/namespaces/{ns}/deployments/web";

        var withStatus = await api.SendJsonAsync(HttpMethod.Patch, path + "/status", """{"spec":{"replicas":9},"status":{"readyReplicas":1}}""", HttpStatusCode.OK, cts.Token, "application/merge-patch+json");
        var mainWrite = await api.SendJsonAsync(HttpMethod.Patch, path, """{"spec":{"replicas":2},"status":{"readyReplicas":7}}""", HttpStatusCode.OK, cts.Token, "application/merge-patch+json");
        var statusGet = await api.SendJsonAsync(HttpMethod.Get, path + "/status", null, HttpStatusCode.OK, cts.Token);

        Assert.Equal(1, withStatus["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, withStatus["status"]!["readyReplicas"]!.GetValue<int>());
        Assert.Equal(2, mainWrite["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, mainWrite["status"]!["readyReplicas"]!.GetValue<int>());
        Assert.Equal(1, statusGet["status"]!["readyReplicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Uid_and_creationTimestamp_cannot_be_changed()
    {
        using var cts = TestDeadline.Seconds(30);
        var (ns, created) = await DeploymentAsync(cts.Token);
        var path = $"apis/apps/v1/namespaces/{ns}/deployments/web";

        var otherUid = created.DeepClone().AsObject();
        otherUid["metadata"]!["uid"] = Guid.NewGuid().ToString();
        var uidStatus = await api.SendJsonAsync(HttpMethod.Put, path, otherUid.ToJsonString(), HttpStatusCode.Conflict, cts.Token);
        var otherTime = created.DeepClone().AsObject();
        otherTime["metadata"]!["creationTimestamp"] = "2001-01-01T00:00:00Z";
        otherTime["metadata"]!["labels"]!["v"] = "2";
        var kept = await api.SendJsonAsync(HttpMethod.Put, path, otherTime.ToJsonString(), HttpStatusCode.OK, cts.Token);
        var renamed = await api.SendJsonAsync(HttpMethod.Put, path, created.DeepClone().AsObject().Also(o => o["metadata"]!["name"] = "other").ToJsonString(), HttpStatusCode.BadRequest, cts.Token);

        Assert.StartsWith("Operation cannot be fulfilled on deployments.apps \"web\": Precondition failed: UID in precondition", uidStatus["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(created["metadata"]!["creationTimestamp"]!.GetValue<string>(), kept["metadata"]!["creationTimestamp"]!.GetValue<string>());
        Assert.Equal("the name of the object (other) does not match the name on the URL (web)", renamed["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_does_not_create_most_kinds_but_creates_leases()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var status = await api.SendJsonAsync(HttpMethod.Put, $"api/v1/namespaces/{ns}/configmaps/absent", """{"metadata":{"name":"absent"}}""", HttpStatusCode.NotFound, cts.Token);
        var lease = await api.SendJsonAsync(HttpMethod.Put, $"apis/coordination.k8s.io/v1/namespaces/{ns}/leases/l1",
            """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l1"},"spec":{"holderIdentity":"me"}}""", HttpStatusCode.Created, cts.Token);

        Assert.Equal("configmaps \"absent\" not found", status["message"]!.GetValue<string>());
        Assert.Equal("me", lease["spec"]!["holderIdentity"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_update_that_changes_nothing_keeps_the_resourceVersion()
    {
        using var cts = TestDeadline.Seconds(30);
        var (ns, created) = await DeploymentAsync(cts.Token);

        var same = await api.SendJsonAsync(HttpMethod.Put, $"apis/apps/v1/namespaces/{ns}/deployments/web", created.ToJsonString(), HttpStatusCode.OK, cts.Token);

        Assert.Equal(created["metadata"]!["resourceVersion"]!.GetValue<string>(), same["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task DryRun_update_and_patch_store_nothing()
    {
        using var cts = TestDeadline.Seconds(30);
        var (ns, created) = await DeploymentAsync(cts.Token);
        var path = $"apis/apps/v1/namespaces/{ns}/deployments/web";
        var body = created.DeepClone().AsObject();
        body["spec"]!["replicas"] = 7;

        var put = await api.SendJsonAsync(HttpMethod.Put, path + "?dryRun=All", body.ToJsonString(), HttpStatusCode.OK, cts.Token);
        var patched = await api.SendJsonAsync(HttpMethod.Patch, path + "?dryRun=All", """{"spec":{"replicas":8}}""", HttpStatusCode.OK, cts.Token, "application/merge-patch+json");
        var stored = await api.SendJsonAsync(HttpMethod.Get, path, null, HttpStatusCode.OK, cts.Token);

        Assert.Equal(7, put["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(8, patched["spec"]!["replicas"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(created, stored), stored.ToJsonString());
    }

    [Fact]
    public async Task Server_side_apply_conflicts_are_409_with_the_fields_as_causes()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var path = $"apis/apps/v1/namespaces/{ns}/deployments/web";
        await api.SendJsonAsync(HttpMethod.Patch, path + "?fieldManager=alice", Manifests.Deployment("web", 1), HttpStatusCode.Created, cts.Token, "application/apply-patch+yaml");

        var conflict = await api.SendJsonAsync(HttpMethod.Patch, path + "?fieldManager=bob", Manifests.Deployment("web", 3), HttpStatusCode.Conflict, cts.Token, "application/apply-patch+yaml");
        var forced = await api.SendJsonAsync(HttpMethod.Patch, path + "?fieldManager=bob&force=true", Manifests.Deployment("web", 3), HttpStatusCode.OK, cts.Token, "application/apply-patch+yaml");

        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\" using apps/v1: .spec.replicas", conflict["message"]!.GetValue<string>());
        var cause = Assert.Single(conflict["details"]!["causes"]!.AsArray())!;
        Assert.Equal("FieldManagerConflict", cause["reason"]!.GetValue<string>());
        Assert.Equal(".spec.replicas", cause["field"]!.GetValue<string>());
        Assert.Equal(3, forced["spec"]!["replicas"]!.GetValue<int>());
        Assert.Contains(forced["metadata"]!["managedFields"]!.AsArray(), e => e!["manager"]!.GetValue<string>() == "bob");
    }

    [Fact]
    public async Task Field_manager_defaults_to_the_user_agent_prefix()
    {
        using var cts = TestDeadline.Seconds(30);
        var ns = await api.NewNamespaceAsync(cts.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/namespaces/{ns}/configmaps")
        {
            Content = new StringContent("""{"metadata":{"name":"ua"},"data":{"k":"v"}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.ParseAdd("my-controller/v1.2.3");

        using var response = await api.Http.SendAsync(request, cts.Token);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync(cts.Token))!;

        Assert.Equal("my-controller", created["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>());
    }
}

internal static class JsonObjectTestExtensions
{
    public static JsonObject Also(this JsonObject obj, Action<JsonObject> change)
    {
        change(obj);
        return obj;
    }
}
