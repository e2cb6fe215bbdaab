using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;

namespace NodeAgent.Api.Tests.Discovery;

public sealed class DiscoveryTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private async Task<(JsonObject Body, string ContentType)> GetAsync(string path, string accept, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        using var response = await api.Http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsObject();
        return (body, response.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Version_reports_the_configured_git_version()
    {
        using var cts = TestDeadline.Seconds(30);

        var (version, _) = await GetAsync("version", "application/json", cts.Token);

        Assert.Equal("1", version["major"]!.GetValue<string>());
        Assert.Equal("32", version["minor"]!.GetValue<string>());
        Assert.Equal("v1.32.0+nodeagent", version["gitVersion"]!.GetValue<string>());
        Assert.Matches("^linux/", version["platform"]!.GetValue<string>());
    }

    [Fact]
    public async Task Legacy_documents_list_versions_groups_and_resources_with_subresources()
    {
        using var cts = TestDeadline.Seconds(30);

        var (api1, _) = await GetAsync("api", "application/json", cts.Token);
        var (groups, _) = await GetAsync("apis", "application/json", cts.Token);
        var (core, _) = await GetAsync("api/v1", "application/json", cts.Token);
        var (apps, _) = await GetAsync("apis/apps/v1", "application/json", cts.Token);

        Assert.Equal("APIVersions", api1["kind"]!.GetValue<string>());
        Assert.Equal($"127.0.0.1:{api.Server.Port}", api1["serverAddressByClientCIDRs"]![0]!["serverAddress"]!.GetValue<string>());
        Assert.Equal(
            ["apps", "authentication.k8s.io", "authorization.k8s.io", "batch", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io"],
            groups["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal("apps/v1", groups["groups"]!.AsArray().Single(g => g!["name"]!.GetValue<string>() == "apps")!["preferredVersion"]!["groupVersion"]!.GetValue<string>());
        var authentication = groups["groups"]!.AsArray().Single(g => g!["name"]!.GetValue<string>() == "authentication.k8s.io")!;
        Assert.Equal("authentication.k8s.io/v1", authentication["preferredVersion"]!["groupVersion"]!.GetValue<string>());
        Assert.Equal(["v1", "v1beta1"], authentication["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()));
        var pods = Resource(core, "pods");
        Assert.Equal("Pod", pods["kind"]!.GetValue<string>());
        Assert.True(pods["namespaced"]!.GetValue<bool>());
        Assert.Equal(["po"], pods["shortNames"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["all"], pods["categories"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], pods["verbs"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["create"], Resource(core, "pods/binding")["verbs"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["get", "patch", "update"], Resource(core, "pods/status")["verbs"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["get"], Resource(core, "pods/log")["verbs"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("PodExecOptions", Resource(core, "pods/exec")["kind"]!.GetValue<string>());
        Assert.Equal(["create", "get"], Resource(core, "pods/portforward")["verbs"]!.AsArray().Select(s => s!.GetValue<string>()));
        var scale = Resource(apps, "deployments/scale");
        Assert.Equal("autoscaling", scale["group"]!.GetValue<string>());
        Assert.Equal("Scale", scale["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Aggregated_discovery_is_served_when_asked_for()
    {
        using var cts = TestDeadline.Seconds(30);
        const string Accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

        var (core, coreType) = await GetAsync("api", Accept, cts.Token);
        var (named, _) = await GetAsync("apis", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", cts.Token);

        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", coreType.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("apidiscovery.k8s.io/v2", core["apiVersion"]!.GetValue<string>());
        var pods = core["items"]![0]!["versions"]![0]!["resources"]!.AsArray().Single(r => r!["resource"]!.GetValue<string>() == "pods")!;
        Assert.Equal("Namespaced", pods["scope"]!.GetValue<string>());
        Assert.Equal("pod", pods["singularResource"]!.GetValue<string>());
        Assert.Equal(["attach", "binding", "exec", "log", "portforward", "status"], pods["subresources"]!.AsArray().Select(s => s!["subresource"]!.GetValue<string>()));
        Assert.Equal("apidiscovery.k8s.io/v2beta1", named["apiVersion"]!.GetValue<string>());
        var apps = named["items"]!.AsArray().Single(i => i!["metadata"]!["name"]!.GetValue<string>() == "apps")!;
        var deployments = apps["versions"]![0]!["resources"]!.AsArray().Single(r => r!["resource"]!.GetValue<string>() == "deployments")!;
        var scale = deployments["subresources"]!.AsArray().Single(s => s!["subresource"]!.GetValue<string>() == "scale")!;
        Assert.Equal("autoscaling", scale["responseKind"]!["group"]!.GetValue<string>());

        // The reviews are create-only, cluster-scoped except localsubjectaccessreviews.
        var authorization = named["items"]!.AsArray().Single(i => i!["metadata"]!["name"]!.GetValue<string>() == "authorization.k8s.io")!;
        var reviews = authorization["versions"]![0]!["resources"]!.AsArray();
        Assert.Equal(
            ["localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews"],
            reviews.Select(r => r!["resource"]!.GetValue<string>()));
        Assert.All(reviews, r => Assert.Equal(["create"], r!["verbs"]!.AsArray().Select(v => v!.GetValue<string>())));
        Assert.Equal("Namespaced", reviews[0]!["scope"]!.GetValue<string>());
        Assert.Equal("Cluster", reviews[1]!["scope"]!.GetValue<string>());
    }

    private static JsonObject Resource(JsonObject list, string name) =>
        list["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == name)!.AsObject();
}
