using System.Text.Json;
using NodeAgent.Api.Tests.Fixtures;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Api.Tests.Kubectl;

/// <summary>
/// The real kubectl against the in-process server, for everything that needs no list or Table.
/// <c>--validate=false</c> until the OpenAPI documents exist (kubectl downloads them to validate).
/// </summary>
public sealed class KubectlWriteTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private const string WebV1 = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: nginx
                image: nginx:1.27
                ports:
                - containerPort: 80
                env:
                - {name: MODE, value: blue}
        """;

    private async Task<string> RunAsync(string[] args, CancellationToken ct)
    {
        var result = await api.Kubectl.RunAsync(args, ct);
        Assert.True(result.Succeeded, $"kubectl {string.Join(' ', args)} failed: {result.StandardError}{result.StandardOutput}");
        return result.StandardOutput;
    }

    private async Task<string> RunWithInputAsync(string stdin, string[] args, CancellationToken ct)
    {
        var result = await api.Kubectl.RunAsync(args, ct, stdin);
        Assert.True(result.Succeeded, $"kubectl {string.Join(' ', args)} failed: {result.StandardError}{result.StandardOutput}");
        return result.StandardOutput;
    }

    private async Task<JsonElement> GetJsonAsync(string[] args, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await RunAsync(["get", .. args, "-o", "json"], ct));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Version_api_versions_and_api_resources_print_what_a_cluster_prints()
    {
        using var cts = TestDeadline.Seconds(60);

        using var version = JsonDocument.Parse(await RunAsync(["version", "-o", "json"], cts.Token));
        var versions = await RunAsync(["api-versions"], cts.Token);
        var resources = await RunAsync(["api-resources"], cts.Token);

        Assert.Equal("v1.32.0+nodeagent", version.RootElement.GetProperty("serverVersion").GetProperty("gitVersion").GetString());
        // authentication.k8s.io/v1beta1 is served for kubectl 1.27's `auth whoami` (SelfSubjectReview was beta then).
        Assert.Equal("apps/v1\nauthentication.k8s.io/v1\nauthentication.k8s.io/v1beta1\nauthorization.k8s.io/v1\nbatch/v1\ncoordination.k8s.io/v1\ndiscovery.k8s.io/v1\nevents.k8s.io/v1\nv1\n", versions);
        var lines = resources.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^NAME +SHORTNAMES +APIVERSION +NAMESPACED +KIND$", lines[0]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^pods +po +v1 +true +Pod$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^namespaces +ns +v1 +false +Namespace$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^deployments +deploy +apps/v1 +true +Deployment$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^leases +coordination.k8s.io/v1 +true +Lease$"));
    }

    [Fact]
    public async Task Create_from_a_multi_document_manifest_then_get_as_json_and_yaml()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);
        var manifest = WebV1 + """

            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              level: debug
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              selector: {app: web}
              ports:
              - port: 80
            """;

        var created = await RunWithInputAsync(manifest, ["create", "--validate=false", "-n", ns, "-f", "-"], cts.Token);
        var deployment = await GetJsonAsync(["deployment", "web", "-n", ns], cts.Token);
        var yaml = await RunAsync(["get", "configmap", "settings", "-n", ns, "-o", "yaml"], cts.Token);
        var duplicate = await api.Kubectl.RunAsync(["create", "--validate=false", "-n", ns, "-f", "-"], cts.Token, manifest);

        Assert.Equal("deployment.apps/web created\nconfigmap/settings created\nservice/web created\n", created);
        Assert.Equal(1, deployment.GetProperty("metadata").GetProperty("generation").GetInt64());
        Assert.Equal("blue", deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0].GetProperty("env")[0].GetProperty("value").GetString());
        Assert.Contains("  level: debug\n", yaml, StringComparison.Ordinal);
        Assert.Contains($"  namespace: {ns}\n", yaml, StringComparison.Ordinal);
        Assert.False(duplicate.Succeeded);
        Assert.Contains("Error from server (AlreadyExists): error when creating \"STDIN\": deployments.apps \"web\" already exists", duplicate.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_says_created_unchanged_configured_and_merges_lists_like_a_cluster()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var first = await RunWithInputAsync(WebV1, ["apply", "--validate=false", "-n", ns, "-f", "-"], cts.Token);
        var second = await RunWithInputAsync(WebV1, ["apply", "--validate=false", "-n", ns, "-f", "-"], cts.Token);

        // Someone else adds a sidecar and an env var; the manifest then changes the image and adds its own env var.
        await RunAsync(
            ["patch", "deployment", "web", "-n", ns, "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"EXTRA","value":"1"}]},{"name":"sidecar","image":"busybox:1.36"}]}}}}"""],
            cts.Token);
        var changed = WebV1.Replace("nginx:1.27", "nginx:1.28", StringComparison.Ordinal)
            .Replace("- {name: MODE, value: blue}", "- {name: MODE, value: green}\n        - {name: LEVEL, value: info}", StringComparison.Ordinal);
        var third = await RunWithInputAsync(changed, ["apply", "--validate=false", "-n", ns, "-f", "-"], cts.Token);
        var deployment = await GetJsonAsync(["deployment", "web", "-n", ns], cts.Token);

        Assert.Equal("deployment.apps/web created\n", first);
        Assert.Equal("deployment.apps/web unchanged\n", second);
        Assert.Equal("deployment.apps/web configured\n", third);
        var containers = deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers");
        Assert.Equal(["nginx", "sidecar"], containers.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("nginx:1.28", containers[0].GetProperty("image").GetString());
        var env = containers[0].GetProperty("env").EnumerateArray().Select(e => $"{e.GetProperty("name").GetString()}={e.GetProperty("value").GetString()}");

        // The plain patch put EXTRA in front (an item the server did not know goes first, as upstream's
        // strategic merge orders it); apply keeps that server-only item and updates its own ones.
        Assert.Equal(["EXTRA=1", "MODE=green", "LEVEL=info"], env);
        Assert.Equal(3, deployment.GetProperty("metadata").GetProperty("generation").GetInt64());
    }

    [Fact]
    public async Task Server_side_apply_conflicts_and_force_and_server_dry_run()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);

        var applied = await RunWithInputAsync(WebV1, ["apply", "--server-side", "--validate=false", "-n", ns, "-f", "-"], cts.Token);
        var rival = WebV1.Replace("replicas: 2", "replicas: 5", StringComparison.Ordinal);
        var conflict = await api.Kubectl.RunAsync(["apply", "--server-side", "--validate=false", "--field-manager=rival", "-n", ns, "-f", "-"], cts.Token, rival);
        var forced = await RunWithInputAsync(rival, ["apply", "--server-side", "--force-conflicts", "--validate=false", "--field-manager=rival", "-n", ns, "-f", "-"], cts.Token);
        var dryRun = await RunWithInputAsync(WebV1.Replace("name: web\n  labels", "name: dry\n  labels", StringComparison.Ordinal), ["apply", "--dry-run=server", "--validate=false", "-n", ns, "-f", "-"], cts.Token);
        var deployment = await GetJsonAsync(["deployment", "web", "-n", ns, "--show-managed-fields"], cts.Token);
        var missing = await api.Kubectl.RunAsync(["get", "deployment", "dry", "-n", ns, "-o", "name"], cts.Token);

        Assert.Equal("deployment.apps/web serverside-applied\n", applied);
        Assert.False(conflict.Succeeded);
        Assert.Contains("conflict with \"kubectl\"", conflict.StandardError, StringComparison.Ordinal);
        Assert.Contains(".spec.replicas", conflict.StandardError, StringComparison.Ordinal);
        Assert.Equal("deployment.apps/web serverside-applied\n", forced);
        Assert.Equal("deployment.apps/dry created (server dry run)\n", dryRun);
        Assert.Equal(5, deployment.GetProperty("spec").GetProperty("replicas").GetInt32());
        Assert.Equal(["kubectl", "rival"], deployment.GetProperty("metadata").GetProperty("managedFields").EnumerateArray().Select(e => e.GetProperty("manager").GetString()).Order(StringComparer.Ordinal));
        Assert.False(missing.Succeeded);
        Assert.Contains("NotFound", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Label_annotate_and_the_three_patch_types()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await RunWithInputAsync(WebV1, ["create", "--validate=false", "-n", ns, "-f", "-"], cts.Token);

        var labelled = await RunAsync(["label", "deployment", "web", "-n", ns, "tier=front"], cts.Token);
        var annotated = await RunAsync(["annotate", "deployment", "web", "-n", ns, "owner=team-a"], cts.Token);
        var strategic = await RunAsync(["patch", "deployment", "web", "-n", ns, "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.29"}]}}}}"""], cts.Token);
        var merge = await RunAsync(["patch", "deployment", "web", "-n", ns, "--type=merge", "-p", """{"metadata":{"labels":{"merged":"yes"}}}"""], cts.Token);
        var json = await RunAsync(["patch", "deployment", "web", "-n", ns, "--type=json", "-p", """[{"op":"replace","path":"/spec/replicas","value":3}]"""], cts.Token);
        var unlabelled = await RunAsync(["label", "deployment", "web", "-n", ns, "tier-"], cts.Token);
        var deployment = await GetJsonAsync(["deployment", "web", "-n", ns], cts.Token);

        Assert.Equal("deployment.apps/web labeled\n", labelled);
        Assert.Equal("deployment.apps/web annotated\n", annotated);
        Assert.Equal("deployment.apps/web patched\n", strategic);
        Assert.Equal("deployment.apps/web patched\n", merge);
        Assert.Equal("deployment.apps/web patched\n", json);
        Assert.Equal("deployment.apps/web unlabeled\n", unlabelled);
        var meta = deployment.GetProperty("metadata");
        Assert.False(meta.GetProperty("labels").TryGetProperty("tier", out _));
        Assert.Equal("yes", meta.GetProperty("labels").GetProperty("merged").GetString());
        Assert.Equal("team-a", meta.GetProperty("annotations").GetProperty("owner").GetString());
        var container = deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0];
        Assert.Equal("nginx:1.29", container.GetProperty("image").GetString());
        Assert.Equal(80, container.GetProperty("ports")[0].GetProperty("containerPort").GetInt32());
        Assert.Equal(3, deployment.GetProperty("spec").GetProperty("replicas").GetInt32());
    }

    [Fact]
    public async Task Replace_scale_and_delete_by_name()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await RunWithInputAsync(WebV1, ["create", "--validate=false", "-n", ns, "-f", "-"], cts.Token);

        var replaced = await RunWithInputAsync(WebV1.Replace("nginx:1.27", "nginx:1.30", StringComparison.Ordinal), ["replace", "--validate=false", "-n", ns, "-f", "-"], cts.Token);
        var scaled = await RunAsync(["scale", "deployment", "web", "-n", ns, "--replicas=4"], cts.Token);
        var deployment = await GetJsonAsync(["deployment", "web", "-n", ns], cts.Token);
        var deleted = await RunAsync(["delete", "deployment", "web", "-n", ns, "--wait=false"], cts.Token);
        var gone = await api.Kubectl.RunAsync(["get", "deployment", "web", "-n", ns, "-o", "name"], cts.Token);

        Assert.Equal("deployment.apps/web replaced\n", replaced);
        Assert.Equal("deployment.apps/web scaled\n", scaled);
        Assert.Equal(4, deployment.GetProperty("spec").GetProperty("replicas").GetInt32());
        Assert.Equal("nginx:1.30", deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0].GetProperty("image").GetString());
        Assert.Equal("deployment.apps \"web\" deleted\n", deleted);
        Assert.Contains("(NotFound): deployments.apps \"web\" not found", gone.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_bound_pod_leaves_it_terminating_until_grace_zero()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await RunWithInputAsync(Manifests.Pod("worker", nodeName: "node-1"), ["create", "--validate=false", "-n", ns, "-f", "-"], cts.Token);

        var deleted = await RunAsync(["delete", "pod", "worker", "-n", ns, "--wait=false"], cts.Token);
        var pod = await GetJsonAsync(["pod", "worker", "-n", ns], cts.Token);
        var forced = await RunAsync(["delete", "pod", "worker", "-n", ns, "--grace-period=0", "--force", "--wait=false"], cts.Token);
        var gone = await api.Kubectl.RunAsync(["get", "pod", "worker", "-n", ns, "-o", "name"], cts.Token);

        Assert.Equal("pod \"worker\" deleted\n", deleted);
        Assert.Equal(30, pod.GetProperty("metadata").GetProperty("deletionGracePeriodSeconds").GetInt64());
        Assert.Contains("pod \"worker\" force deleted", forced, StringComparison.Ordinal);
        Assert.False(gone.Succeeded);
    }

    [Fact]
    public async Task Edit_with_a_scripted_editor_updates_the_object()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);
        await RunWithInputAsync("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tuned\ndata:\n  level: debug\n", ["create", "--validate=false", "-n", ns, "-f", "-"], cts.Token);
        var editor = Path.Combine(api.TempPath, "editor.sh");
        await File.WriteAllTextAsync(editor, "#!/bin/sh\nsed -i 's/level: debug/level: info/' \"$1\"\n", cts.Token);
        File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>(api.Kubectl.EnvironmentOverrides, StringComparer.Ordinal) { ["KUBE_EDITOR"] = editor };

        var result = await TestProcess.RunAsync(api.Kubectl.BinaryPath,
            ["--kubeconfig=" + api.Kubectl.KubeconfigPath, "--cache-dir=" + api.Kubectl.CacheDirectory, "edit", "configmap", "tuned", "-n", ns, "--validate=false"],
            cts.Token, environment, null);
        var configMap = await GetJsonAsync(["configmap", "tuned", "-n", ns, "--show-managed-fields"], cts.Token);

        Assert.True(result.Succeeded, result.StandardError);
        Assert.Equal("configmap/tuned edited\n", result.StandardOutput);
        Assert.Equal("info", configMap.GetProperty("data").GetProperty("level").GetString());
        Assert.Contains(configMap.GetProperty("metadata").GetProperty("managedFields").EnumerateArray(), e => e.GetProperty("manager").GetString() == "kubectl-edit");
    }

    [Fact]
    public async Task Kubectl_1_27_applies_reads_and_deletes()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = await api.NewNamespaceAsync(cts.Token);
        using var old = new NodeAgent.Testing.Kubectl.KubectlRunner(api.KubeconfigPath, NodeAgent.Testing.Kubectl.KubectlBinaries.Require("1.27"));
        const string Manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy\ndata:\n  a: b\n";

        var created = await old.RunAsync(["apply", "--validate=false", "-n", ns, "-f", "-"], cts.Token, Manifest);
        var configured = await old.RunAsync(["apply", "--validate=false", "-n", ns, "-f", "-"], cts.Token, Manifest.Replace("a: b", "a: c", StringComparison.Ordinal));
        var got = await old.RunAsync(["get", "configmap", "legacy", "-n", ns, "-o", "jsonpath={.data.a}"], cts.Token);
        var deleted = await old.RunAsync(["delete", "configmap", "legacy", "-n", ns, "--wait=false"], cts.Token);

        Assert.Equal("configmap/legacy created\n", created.EnsureSuccess().StandardOutput);
        Assert.Equal("configmap/legacy configured\n", configured.EnsureSuccess().StandardOutput);
        Assert.Equal("c", got.EnsureSuccess().StandardOutput);
        Assert.Equal("configmap \"legacy\" deleted\n", deleted.EnsureSuccess().StandardOutput);
    }

    [Fact]
    public async Task Generator_commands_that_send_protobuf_create_their_objects()
    {
        using var cts = TestDeadline.Seconds(60);
        var ns = NodeAgent.Testing.Common.TestIds.NewPrefix();

        var nsCreated = await RunAsync(["create", "namespace", ns], cts.Token);
        var cm = await RunAsync(["create", "configmap", "app-config", "-n", ns, "--from-literal=level=debug", "--from-literal=mode=fast"], cts.Token);
        var secret = await RunAsync(["create", "secret", "generic", "creds", "-n", ns, "--from-literal=password=s3cret"], cts.Token);
        var sa = await RunAsync(["create", "serviceaccount", "builder", "-n", ns], cts.Token);
        var configMap = await GetJsonAsync(["configmap", "app-config", "-n", ns, "--show-managed-fields"], cts.Token);
        var stored = await GetJsonAsync(["secret", "creds", "-n", ns], cts.Token);
        var namespaceObject = await GetJsonAsync(["namespace", ns], cts.Token);

        Assert.Equal($"namespace/{ns} created\n", nsCreated);
        Assert.Equal("configmap/app-config created\n", cm);
        Assert.Equal("secret/creds created\n", secret);
        Assert.Equal("serviceaccount/builder created\n", sa);
        Assert.Equal("debug", configMap.GetProperty("data").GetProperty("level").GetString());
        Assert.Equal("kubectl-create", configMap.GetProperty("metadata").GetProperty("managedFields")[0].GetProperty("manager").GetString());
        Assert.Equal(Convert.ToBase64String("s3cret"u8), stored.GetProperty("data").GetProperty("password").GetString());
        Assert.Equal("Active", namespaceObject.GetProperty("status").GetProperty("phase").GetString());
    }
}
