using System.Text.Json;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Api.Tests.Kubectl;

/// <summary>
/// kubectl's validating commands (apply, create, replace) get the slim OpenAPI view (OpenApiView.Validating), explain
/// the full one; with the real server and the real kubectl 1.32 and 1.27, every path that reads those documents still
/// works: validated apply (create, then a client-side strategic merge patch), strict field validation, server-side
/// apply, and explain from the same kubectl cache afterwards.
/// </summary>
public sealed class KubectlValidationTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private const string Deployment = """
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
        """;

    private const string DeploymentWithSidecar = """
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

    private const string ConfigMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          mode: blue
        """;

    public static TheoryData<string> Versions => new() { "1.32", "1.27" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Validated_apply_creates_then_patches_and_explain_still_describes_fields(string version)
    {
        using var deadline = TestDeadline.Seconds(90);
        var ns = await api.NewNamespaceAsync(deadline.Token);
        using var kubectl = new KubectlRunner(api.KubeconfigPath, Binary(version));

        (await kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], deadline.Token, ConfigMap + "\n---\n" + Deployment)).EnsureSuccess();
        var patched = (await kubectl.RunAsync(["apply", "-n", ns, "-f", "-", "-v=8"], deadline.Token, DeploymentWithSidecar)).EnsureSuccess();
        var explain = (await kubectl.RunAsync(["explain", "deployment.spec.strategy"], deadline.Token)).EnsureSuccess();

        // The second apply sent a strategic merge patch computed from the served patch metadata, without a warning.
        Assert.DoesNotContain("error calculating patch from openapi", patched.StandardError, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/strategic-merge-patch+json", patched.StandardError, StringComparison.Ordinal);
        Assert.Contains("$setElementOrder/containers", patched.StandardError, StringComparison.Ordinal);
        using var deployment = await kubectl.GetJsonAsync(["deployment", "web", "-n", ns], deadline.Token);
        var containers = deployment.RootElement.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers");
        Assert.Equal(["web", "sidecar"], containers.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        using var configMap = await kubectl.GetJsonAsync(["configmap", "settings", "-n", ns], deadline.Token);
        Assert.Equal("blue", configMap.RootElement.GetProperty("data").GetProperty("mode").GetString());

        // explain, from the same cache dir, gets the documents with descriptions.
        Assert.Contains("The deployment strategy to use to replace existing pods with new ones.", explain.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Strict_validation_rejects_an_unknown_field_with_its_path(string version)
    {
        using var deadline = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(deadline.Token);
        using var kubectl = new KubectlRunner(api.KubeconfigPath, Binary(version));

        var apply = await kubectl.RunAsync(["apply", "--validate=strict", "-n", ns, "-f", "-"], deadline.Token, Deployment.Replace("spec:\n  selector:", "spec:\n  bogus: 1\n  selector:", StringComparison.Ordinal));
        var create = await kubectl.RunAsync(["create", "-n", ns, "-f", "-"], deadline.Token, ConfigMap.Replace("data:", "extra: 1\ndata:", StringComparison.Ordinal));

        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("unknown field \"spec.bogus\"", apply.StandardError, StringComparison.Ordinal);
        Assert.Equal(1, create.ExitCode);
        Assert.Contains("unknown field \"extra\"", create.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Server_side_apply_create_and_replace_work_with_validation(string version)
    {
        using var deadline = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(deadline.Token);
        using var kubectl = new KubectlRunner(api.KubeconfigPath, Binary(version));

        (await kubectl.RunAsync(["apply", "--server-side", "-n", ns, "-f", "-"], deadline.Token, Deployment)).EnsureSuccess();
        (await kubectl.RunAsync(["create", "-n", ns, "-f", "-"], deadline.Token, ConfigMap)).EnsureSuccess();
        (await kubectl.RunAsync(["replace", "-n", ns, "-f", "-"], deadline.Token, ConfigMap.Replace("blue", "green", StringComparison.Ordinal))).EnsureSuccess();

        using var configMap = await kubectl.GetJsonAsync(["configmap", "settings", "-n", ns], deadline.Token);
        Assert.Equal("green", configMap.RootElement.GetProperty("data").GetProperty("mode").GetString());
        using var deployment = await kubectl.GetJsonAsync(["deployment", "web", "-n", ns, "--show-managed-fields"], deadline.Token);
        var managers = deployment.RootElement.GetProperty("metadata").GetProperty("managedFields").EnumerateArray()
            .Select(f => (f.GetProperty("manager").GetString(), f.GetProperty("operation").GetString()));
        Assert.Contains(("kubectl", "Apply"), managers);
    }

    private static string Binary(string version) => version == "1.32" ? KubectlBinaries.DefaultPath : KubectlBinaries.Require(version);
}
