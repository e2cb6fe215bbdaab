using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Api.Tests.OpenApi;

/// <summary>
/// The real kubectl (1.32 reads /openapi/v3; 1.27 explains from /openapi/v2 protobuf and checks
/// field validation support in v3) against the OpenAPI documents behind <see cref="OpenApiTestServer"/>.
/// </summary>
public sealed class KubectlOpenApiTests
{
    private const string ManifestWithUnknownField = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          bogus: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: nginx
        """;

    private const string ManifestWithSidecar = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: nginx
              - name: sidecar
                image: busybox
        """;

    public static TheoryData<string> Versions => new() { "1.32", "1.27" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Explain_pod_spec_containers_prints_fields_with_types_and_descriptions(string version)
    {
        var output = await ExplainAsync(version, ["explain", "pod.spec.containers"]);

        Assert.Contains("KIND:       Pod", output, StringComparison.Ordinal);
        Assert.Contains("FIELD: containers <[]Container>", output, StringComparison.Ordinal);
        Assert.Contains("    List of containers belonging to the pod.", output, StringComparison.Ordinal);
        Assert.Contains("  name\t<string> -required-", output, StringComparison.Ordinal);
        Assert.Contains("    Name of the container specified as a DNS_LABEL.", output, StringComparison.Ordinal);
        Assert.Contains("  ports\t<[]ContainerPort>", output, StringComparison.Ordinal);
        Assert.Contains("  resources\t<ResourceRequirements>", output, StringComparison.Ordinal);
        Assert.Contains("  image\t<string>", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Explain_recursive_walks_nested_fields(string version)
    {
        var output = await ExplainAsync(version, ["explain", "pod.spec.containers", "--recursive"]);

        Assert.Contains("  livenessProbe\t<Probe>", output, StringComparison.Ordinal);
        Assert.Contains("    httpGet\t<HTTPGetAction>", output, StringComparison.Ordinal);
        Assert.Contains("      port\t<IntOrString> -required-", output, StringComparison.Ordinal);
        Assert.Contains("    limits\t<map[string]Quantity>", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Explain_deployment_spec_strategy(string version)
    {
        var output = await ExplainAsync(version, ["explain", "deployment.spec.strategy"]);

        Assert.Contains("GROUP:      apps", output, StringComparison.Ordinal);
        Assert.Contains("FIELD: strategy <DeploymentStrategy>", output, StringComparison.Ordinal);
        Assert.Contains("    The deployment strategy to use to replace existing pods with new ones.", output, StringComparison.Ordinal);
        Assert.Contains("  rollingUpdate\t<RollingUpdateDeployment>", output, StringComparison.Ordinal);
        Assert.Contains("  type\t<string>", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Apply_validate_strict_leaves_validation_to_the_server(string version)
    {
        using var deadline = TestDeadline.Seconds(60);
        using var temp = new TempDirectory(TestIds.NewPrefix());
        await using var server = await OpenApiTestServer.StartAsync(temp.Path, deadline.Token);
        using var kubectl = new KubectlRunner(server.KubeconfigPath, Binary(version));

        var result = await kubectl.RunAsync(["apply", "--validate=strict", "-f", "-"], deadline.Token, ManifestWithUnknownField);

        // kubectl found fieldValidation on the Deployment's PATCH operation, so it asks the server to be strict
        // (and prints the server's rejection) instead of validating client-side.
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(server.OtherRequests, r => r.StartsWith("POST /apis/apps/v1/namespaces/default/deployments?", StringComparison.Ordinal)
            && r.Contains("fieldValidation=Strict", StringComparison.Ordinal));
        Assert.Contains("Error from server (BadRequest): error when creating \"STDIN\": strict decoding error: unknown field \"spec.bogus\"",
            result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Client_side_apply_merges_containers_by_name_using_the_served_patch_metadata(string version)
    {
        using var deadline = TestDeadline.Seconds(60);
        using var temp = new TempDirectory(TestIds.NewPrefix());
        await using var server = await OpenApiTestServer.StartAsync(temp.Path, deadline.Token);
        const string LastApplied = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}""";
        server.LiveObjects["/apis/apps/v1/namespaces/default/deployments/web"] =
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","resourceVersion":"5","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"""
            + System.Text.Json.JsonSerializer.Serialize(LastApplied)
            + """}},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}""";
        using var kubectl = new KubectlRunner(server.KubeconfigPath, Binary(version));

        var result = await kubectl.RunAsync(["apply", "-f", "-", "-v=5"], deadline.Token, ManifestWithSidecar);

        // A strategic merge patch that adds the sidecar by its merge key and keeps the order.
        Assert.True(server.PatchBodies.Count == 1, result.StandardError + string.Join('\n', server.OtherRequests));
        var patch = server.PatchBodies.Single();
        Assert.Contains("\"$setElementOrder/containers\":[{\"name\":\"web\"},{\"name\":\"sidecar\"}]", patch, StringComparison.Ordinal);
        Assert.Contains("\"containers\":[{\"image\":\"busybox\",\"name\":\"sidecar\"}]", patch, StringComparison.Ordinal);
        Assert.DoesNotContain("error calculating patch from openapi", result.StandardError, StringComparison.Ordinal);
    }

    private static string Binary(string version) => version == "1.32" ? KubectlBinaries.DefaultPath : KubectlBinaries.Require(version);

    private static async Task<string> ExplainAsync(string version, string[] args)
    {
        using var deadline = TestDeadline.Seconds(60);
        using var temp = new TempDirectory(TestIds.NewPrefix());
        await using var server = await OpenApiTestServer.StartAsync(temp.Path, deadline.Token);
        using var kubectl = new KubectlRunner(server.KubeconfigPath, Binary(version));
        return (await kubectl.RunAsync(args, deadline.Token)).EnsureSuccess().StandardOutput;
    }
}
