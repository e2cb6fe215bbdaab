using System.Text;
using System.Text.Json;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Tests.Server;

/// <summary>
/// Service-account tokens end to end on a real server: the "default" account and kube-root-ca.crt appear in new
/// namespaces, pods get the kube-api-access volume with a pod-bound token the API accepts (discovery only, as any
/// non-admin user), and <c>kubectl create token</c> (1.32 and 1.27) talks TokenRequest.
/// </summary>
[Collection(ServerRegistry.Collection)]
public sealed class ServiceAccountTokenTests(ServerRegistry registry)
{
    private const string TokenDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    [Fact]
    public async Task A_pod_reads_its_bound_token_CA_and_namespace_and_the_token_authenticates_until_the_pod_is_gone()
    {
        using var deadline = TestDeadline.Seconds(240);
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            // A namespace created right before its pod: admission waits for the controller's "default" account.
            var ns = server.Prefix + "-sa";
            var name = "tokened";
            (await kubectl.RunAsync(["create", "namespace", ns], deadline.Token)).EnsureSuccess();
            (await kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], deadline.Token, PodYaml(name, registry.Image, automount: null))).EnsureSuccess();

            using (var pod = await kubectl.GetJsonAsync(["-n", ns, "pod", name], deadline.Token))
            {
                var spec = pod.RootElement.GetProperty("spec");
                Assert.Equal("default", spec.GetProperty("serviceAccountName").GetString());
                var volume = Assert.Single(spec.GetProperty("volumes").EnumerateArray().ToList());
                Assert.Matches("^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$", volume.GetProperty("name").GetString());
                var sources = volume.GetProperty("projected").GetProperty("sources").EnumerateArray().ToList();
                Assert.Equal(3607, sources[0].GetProperty("serviceAccountToken").GetProperty("expirationSeconds").GetInt64());
                Assert.Equal("kube-root-ca.crt", sources[1].GetProperty("configMap").GetProperty("name").GetString());
                Assert.Equal("metadata.namespace", sources[2].GetProperty("downwardAPI").GetProperty("items")[0].GetProperty("fieldRef").GetProperty("fieldPath").GetString());
                var mount = Assert.Single(spec.GetProperty("containers")[0].GetProperty("volumeMounts").EnumerateArray().ToList());
                Assert.Equal(TokenDir, mount.GetProperty("mountPath").GetString());
                Assert.True(mount.GetProperty("readOnly").GetBoolean());
            }

            await ServerPods.WaitAsync(kubectl, server, ["-n", ns, "--for=condition=Ready", "pod/" + name], deadline.Token);
            var token = (await kubectl.RunAsync(["exec", "-n", ns, name, "--", "cat", TokenDir + "/token"], deadline.Token)).EnsureSuccess().StandardOutput;
            var caInPod = (await kubectl.RunAsync(["exec", "-n", ns, name, "--", "cat", TokenDir + "/ca.crt"], deadline.Token)).EnsureSuccess().StandardOutput;
            var nsInPod = (await kubectl.RunAsync(["exec", "-n", ns, name, "--", "cat", TokenDir + "/namespace"], deadline.Token)).EnsureSuccess().StandardOutput;
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(server.DataDir, "tls", "ca.crt"), deadline.Token), caInPod);
            Assert.Equal(ns, nsInPod);

            using (var pod = await kubectl.GetJsonAsync(["-n", ns, "pod", name], deadline.Token))
            {
                var claims = Claims(token);
                var kubernetes = claims.GetProperty("kubernetes.io");
                Assert.Equal($"system:serviceaccount:{ns}:default", claims.GetProperty("sub").GetString());
                Assert.Equal("https://kubernetes.default.svc.cluster.local", claims.GetProperty("iss").GetString());
                Assert.Equal(3607, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
                Assert.Equal(ns, kubernetes.GetProperty("namespace").GetString());
                Assert.Equal(name, kubernetes.GetProperty("pod").GetProperty("name").GetString());
                Assert.Equal(pod.RootElement.GetProperty("metadata").GetProperty("uid").GetString(), kubernetes.GetProperty("pod").GetProperty("uid").GetString());
            }

            // From the host: discovery is allowed to every authenticated user, listing pods is not.
            var discovery = await kubectl.RunAsync(["--token=" + token, "get", "--raw", "/api"], deadline.Token);
            Assert.True(discovery.Succeeded, discovery.StandardError);
            Assert.Contains("\"APIVersions\"", discovery.StandardOutput, StringComparison.Ordinal);
            var pods = await kubectl.RunAsync(["--token=" + token, "get", "pods", "-n", ns], deadline.Token);
            Assert.False(pods.Succeeded);
            Assert.Contains($"pods is forbidden: User \"system:serviceaccount:{ns}:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"", pods.StandardError, StringComparison.Ordinal);

            // The token is bound to the pod: once the pod is gone it no longer authenticates.
            (await kubectl.RunAsync(["delete", "-n", ns, "pod", name, "--timeout=60s"], deadline.Token)).EnsureSuccess();
            var after = await kubectl.RunAsync(["--token=" + token, "get", "--raw", "/api"], deadline.Token);
            Assert.False(after.Succeeded);
            Assert.Contains("Unauthorized", after.StandardError, StringComparison.Ordinal);

            // automountServiceAccountToken: false gives no volume; an account that does not exist is refused.
            (await kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], deadline.Token, PodYaml("plain", registry.Image, automount: false))).EnsureSuccess();
            using (var plain = await kubectl.GetJsonAsync(["-n", ns, "pod", "plain"], deadline.Token))
            {
                Assert.False(plain.RootElement.GetProperty("spec").TryGetProperty("volumes", out _));
            }

            var missing = await kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], deadline.Token, PodYaml("orphan", registry.Image, automount: null, account: "nobody"));
            Assert.False(missing.Succeeded);
            Assert.Contains($"pods \"orphan\" is forbidden: error looking up service account {ns}/nobody: serviceaccount \"nobody\" not found", missing.StandardError, StringComparison.Ordinal);
            (await kubectl.RunAsync(["delete", "namespace", ns, "--timeout=90s"], deadline.Token)).EnsureSuccess();
        }, deadline.Token);
    }

    [Fact]
    public async Task Kubectl_create_token_issues_TokenRequest_tokens_and_the_API_validates_the_request()
    {
        using var deadline = TestDeadline.Seconds(180);
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            var ns = server.Prefix + "-ct";
            (await kubectl.RunAsync(["create", "namespace", ns], deadline.Token)).EnsureSuccess();
            var published = await Eventually.UntilAsync(
                async ct => (await kubectl.RunAsync(["get", "-n", ns, "serviceaccount/default", "configmap/kube-root-ca.crt", "-o", "name"], ct)) is { Succeeded: true } r ? r : null,
                "default account and kube-root-ca.crt in the new namespace",
                deadline.Token);
            Assert.Equal("serviceaccount/default\nconfigmap/kube-root-ca.crt\n", published.StandardOutput);

            using (var resources = JsonDocument.Parse((await kubectl.RunAsync(["get", "--raw", "/api/v1"], deadline.Token)).EnsureSuccess().StandardOutput))
            {
                var token = resources.RootElement.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "serviceaccounts/token");
                Assert.Equal("TokenRequest", token.GetProperty("kind").GetString());
                Assert.Equal("authentication.k8s.io", token.GetProperty("group").GetString());
                Assert.Equal("[\"create\"]", token.GetProperty("verbs").GetRawText());
            }

            foreach (var binary in new[] { KubectlBinaries.DefaultPath, KubectlBinaries.Require("1.27") })
            {
                using var client = new KubectlRunner(server.KubeconfigPath, binary);
                var plain = (await client.RunAsync(["create", "token", "default", "-n", ns], deadline.Token)).EnsureSuccess().StandardOutput.Trim();
                var claims = Claims(plain);
                Assert.Equal(3600, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
                Assert.Equal("https://kubernetes.default.svc.cluster.local", claims.GetProperty("aud")[0].GetString());
                Assert.False(claims.GetProperty("kubernetes.io").TryGetProperty("pod", out _));
                Assert.True((await client.RunAsync(["--token=" + plain, "get", "--raw", "/api"], deadline.Token)).Succeeded);

                var custom = (await client.RunAsync(["create", "token", "default", "-n", ns, "--duration=2h", "--audience=vault"], deadline.Token)).EnsureSuccess().StandardOutput.Trim();
                claims = Claims(custom);
                Assert.Equal(7200, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
                Assert.Equal("vault", claims.GetProperty("aud")[0].GetString());

                // A token for another audience is not for this API.
                var foreign = await client.RunAsync(["--token=" + custom, "get", "--raw", "/api"], deadline.Token);
                Assert.Contains("Unauthorized", foreign.StandardError, StringComparison.Ordinal);

                var tooShort = await client.RunAsync(["create", "token", "default", "-n", ns, "--duration=5m"], deadline.Token);
                Assert.False(tooShort.Succeeded);
                Assert.Contains("spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes", tooShort.StandardError, StringComparison.Ordinal);

                var unknown = await client.RunAsync(["create", "token", "nobody", "-n", ns], deadline.Token);
                Assert.Contains("serviceaccounts \"nobody\" not found", unknown.StandardError, StringComparison.Ordinal);

                var unboundPod = await client.RunAsync(["create", "token", "default", "-n", ns, "--bound-object-kind=Pod", "--bound-object-name=ghost"], deadline.Token);
                Assert.Contains("pods \"ghost\" not found", unboundPod.StandardError, StringComparison.Ordinal);
            }

            (await kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], deadline.Token, PodYaml("holder", registry.Image, automount: false))).EnsureSuccess();
            var bound = (await kubectl.RunAsync(["create", "token", "default", "-n", ns, "--bound-object-kind=Pod", "--bound-object-name=holder"], deadline.Token)).EnsureSuccess().StandardOutput.Trim();
            Assert.Equal("holder", Claims(bound).GetProperty("kubernetes.io").GetProperty("pod").GetProperty("name").GetString());
            Assert.True((await kubectl.RunAsync(["--token=" + bound, "get", "--raw", "/version"], deadline.Token)).Succeeded);

            // Deleting the account ends all its tokens; the controller creates a new "default" with another uid.
            (await kubectl.RunAsync(["delete", "-n", ns, "serviceaccount", "default"], deadline.Token)).EnsureSuccess();
            var revoked = await kubectl.RunAsync(["--token=" + bound, "get", "--raw", "/version"], deadline.Token);
            Assert.Contains("Unauthorized", revoked.StandardError, StringComparison.Ordinal);
            (await kubectl.RunAsync(["delete", "namespace", ns, "--timeout=90s"], deadline.Token)).EnsureSuccess();
        }, deadline.Token);
    }

    private static string PodYaml(string name, string image, bool? automount, string? account = null) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        spec:
          terminationGracePeriodSeconds: 1
          {(account is null ? "" : "serviceAccountName: " + account)}
          {(automount is null ? "" : "automountServiceAccountToken: " + (automount.Value ? "true" : "false"))}
          containers:
          - name: main
            image: {image}
            command: ["/bin/sleep", "3600"]

        """;

    /// <summary>The JWT's payload (the signature is the API's to check; the tests check what it says).</summary>
    private static JsonElement Claims(string token)
    {
        var payload = token.Trim().Split('.')[1];
        return JsonDocument.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(payload))).RootElement.Clone();
    }
}
