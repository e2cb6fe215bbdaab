using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using NodeAgent.Api.Security;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Tests.Server;

/// <summary>
/// The review APIs on a real server with real kubectl (1.32 and 1.27): auth can-i (SelfSubjectAccessReview,
/// protobuf), can-i --list (SelfSubjectRulesReview), auth whoami (SelfSubjectReview v1 and v1beta1), and
/// SubjectAccessReview, LocalSubjectAccessReview and TokenReview posted with kubectl create; for the admin and for a
/// service-account token, which gets discovery and its self reviews only.
/// </summary>
public sealed class AuthReviewTests
{
    [Fact]
    public async Task Kubectl_auth_can_i_list_and_whoami_answer_for_the_admin_and_a_service_account_token()
    {
        using var deadline = TestDeadline.Seconds(180);
        await using var server = await ServerProcess.StartAsync(deadline.Token);
        using var kubectl = new KubectlRunner(server.KubeconfigPath);
        var token = await ServiceAccountTokenAsync(kubectl, deadline.Token);

        foreach (var binary in new[] { KubectlBinaries.DefaultPath, KubectlBinaries.Require("1.27") })
        {
            using var client = new KubectlRunner(server.KubeconfigPath, binary);
            var can = await client.RunAsync(["auth", "can-i", "create", "pods"], deadline.Token);
            Assert.Equal((0, "yes\n"), (can.ExitCode, can.StandardOutput));
            Assert.Equal("yes\n", (await client.RunAsync(["auth", "can-i", "delete", "nodes", "--all-namespaces"], deadline.Token)).EnsureSuccess().StandardOutput);

            var cannot = await client.RunAsync(["--token=" + token, "auth", "can-i", "get", "pods"], deadline.Token);
            Assert.Equal((1, "no\n"), (cannot.ExitCode, cannot.StandardOutput));
            var discovery = await client.RunAsync(["--token=" + token, "auth", "can-i", "get", "/api"], deadline.Token);
            Assert.Equal((0, "yes\n"), (discovery.ExitCode, discovery.StandardOutput));
            var post = await client.RunAsync(["--token=" + token, "auth", "can-i", "post", "/api"], deadline.Token);
            Assert.Equal((1, "no\n"), (post.ExitCode, post.StandardOutput));

            // The admin may do everything; the service account sees its discovery and self-review rules.
            var list = (await client.RunAsync(["auth", "can-i", "--list"], deadline.Token)).EnsureSuccess().StandardOutput;
            Assert.Matches(@"(?m)^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]\s*$", list);
            Assert.Matches(@"(?m)^\s+\[\*\]\s+\[\]\s+\[\*\]\s*$", list);
            var accountList = (await client.RunAsync(["--token=" + token, "auth", "can-i", "--list"], deadline.Token)).EnsureSuccess().StandardOutput;
            Assert.Matches(@"(?m)^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]\s*$", accountList);
            Assert.Matches(@"(?m)^selfsubjectreviews\.authentication\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]\s*$", accountList);
            Assert.Matches(@"(?m)^\s+\[/api/\*\]\s+\[\]\s+\[get\]\s*$", accountList);
            Assert.DoesNotContain("*.*", accountList, StringComparison.Ordinal);

            // whoami: 1.32 asks authentication.k8s.io/v1, 1.27 v1beta1.
            var admin = (await client.RunAsync(["auth", "whoami"], deadline.Token)).EnsureSuccess().StandardOutput;
            Assert.Matches(@"(?m)^Username\s+admin\s*$", admin);
            Assert.Matches(@"(?m)^Groups\s+\[system:masters system:authenticated\]\s*$", admin);
            using var account = JsonDocument.Parse((await client.RunAsync(["--token=" + token, "auth", "whoami", "-o", "json"], deadline.Token)).EnsureSuccess().StandardOutput);
            var info = account.RootElement.GetProperty("status").GetProperty("userInfo");
            Assert.Equal(binary == KubectlBinaries.DefaultPath ? "authentication.k8s.io/v1" : "authentication.k8s.io/v1beta1", account.RootElement.GetProperty("apiVersion").GetString());
            Assert.Equal("system:serviceaccount:default:default", info.GetProperty("username").GetString());
            Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"], info.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
            Assert.Matches("^[0-9a-f-]{36}$", info.GetProperty("uid").GetString());
        }

        // Impersonation (--as, --as-group): the admin may act as anyone, the service account may not.
        var jane = await kubectl.RunAsync(["auth", "can-i", "list", "pods", "--as=jane"], deadline.Token);
        Assert.Equal((1, "no\n"), (jane.ExitCode, jane.StandardOutput));
        var janeDiscovery = await kubectl.RunAsync(["auth", "can-i", "get", "/apis", "--as=jane", "--as-group=dev"], deadline.Token);
        Assert.Equal((0, "yes\n"), (janeDiscovery.ExitCode, janeDiscovery.StandardOutput));
        Assert.Equal("yes\n", (await kubectl.RunAsync(["auth", "can-i", "list", "pods", "--as=jane", "--as-group=system:masters"], deadline.Token)).EnsureSuccess().StandardOutput);
        var asJane = (await kubectl.RunAsync(["auth", "whoami", "--as=jane", "--as-group=dev"], deadline.Token)).EnsureSuccess().StandardOutput;
        Assert.Matches(@"(?m)^Username\s+jane\s*$", asJane);
        Assert.Matches(@"(?m)^Groups\s+\[dev system:authenticated\]\s*$", asJane);
        var asAccount = (await kubectl.RunAsync(["auth", "whoami", "--as=system:serviceaccount:default:default"], deadline.Token)).EnsureSuccess().StandardOutput;
        Assert.Matches(@"(?m)^Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]\s*$", asAccount);
        var notAllowed = await kubectl.RunAsync(["--token=" + token, "get", "--raw", "/api", "--as=jane"], deadline.Token);
        Assert.Contains("users \"jane\" is forbidden: User \"system:serviceaccount:default:default\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope", notAllowed.StandardError, StringComparison.Ordinal);

        // The token may not list pods, with upstream's message; nor ask about others.
        var pods = await kubectl.RunAsync(["--token=" + token, "get", "pods"], deadline.Token);
        Assert.Contains("pods is forbidden: User \"system:serviceaccount:default:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", pods.StandardError, StringComparison.Ordinal);
        var sar = await kubectl.RunAsync(["--token=" + token, "create", "--validate=false", "-o", "json", "-f", "-"], deadline.Token, SubjectAccessReview("jane", "list", "pods"));
        Assert.Contains("subjectaccessreviews.authorization.k8s.io is forbidden: User \"system:serviceaccount:default:default\" cannot create resource \"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope", sar.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reviews_are_validated_answered_and_listed_in_discovery_but_never_stored()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var server = await ServerProcess.StartAsync(deadline.Token);
        using var kubectl = new KubectlRunner(server.KubeconfigPath);
        var token = await ServiceAccountTokenAsync(kubectl, deadline.Token);

        // SubjectAccessReview: the admin asks about another user and about a group.
        Assert.False(await AllowedAsync(kubectl, SubjectAccessReview("jane", "list", "pods"), deadline.Token));
        Assert.True(await AllowedAsync(kubectl, SubjectAccessReview("", "list", "pods", "system:masters"), deadline.Token));
        Assert.True(await AllowedAsync(kubectl, """
            {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
             "spec": {"user": "jane", "groups": ["system:authenticated"], "nonResourceAttributes": {"path": "/version", "verb": "get"}}}
            """, deadline.Token));
        Assert.True(await AllowedAsync(kubectl, """
            {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview", "metadata": {"namespace": "kube-system"},
             "spec": {"groups": ["system:masters"], "resourceAttributes": {"namespace": "kube-system", "verb": "get", "resource": "secrets"}}}
            """, deadline.Token));

        // Invalid reviews: 422 with the field path, as upstream words them.
        using (var client = server.CreateClient())
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken.Load(Path.Combine(server.DataDir, "admin.token")));
            using var body = new StringContent("""{"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {}}""", Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", UriKind.Relative), body, deadline.Token);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(deadline.Token));
            Assert.Equal(
                "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified",
                status.RootElement.GetProperty("message").GetString());
            Assert.Equal("spec.resourceAttributes", status.RootElement.GetProperty("details").GetProperty("causes")[0].GetProperty("field").GetString());
        }

        var both = await kubectl.RunAsync(["create", "--validate=false", "-f", "-"], deadline.Token, """
            {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
             "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}, "nonResourceAttributes": {"path": "/api", "verb": "get"}}}
            """);
        Assert.Contains("spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:\"/api\", Verb:\"get\"}: cannot be specified in combination with resourceAttributes", both.StandardError, StringComparison.Ordinal);
        var nobody = await kubectl.RunAsync(["create", "--validate=false", "-f", "-"], deadline.Token, SubjectAccessReview("", "get", "pods"));
        Assert.Contains("spec.user: Invalid value: \"\": at least one of user or group must be specified", nobody.StandardError, StringComparison.Ordinal);
        var elsewhere = await kubectl.RunAsync(["create", "--validate=false", "-n", "default", "-f", "-"], deadline.Token, """
            {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
             "spec": {"user": "jane", "resourceAttributes": {"namespace": "kube-system", "verb": "get", "resource": "secrets"}}}
            """);
        Assert.Contains("The LocalSubjectAccessReview \"\" is invalid", elsewhere.StandardError, StringComparison.Ordinal);
        Assert.Contains("spec.resourceAttributes.namespace: Invalid value: \"kube-system\": must match metadata.namespace", elsewhere.StandardError, StringComparison.Ordinal);

        // TokenReview through the server's authenticators.
        using (var good = await CreateAsync(kubectl, TokenReview(token), deadline.Token))
        {
            var status = good.RootElement.GetProperty("status");
            Assert.True(status.GetProperty("authenticated").GetBoolean());
            Assert.Equal("system:serviceaccount:default:default", status.GetProperty("user").GetProperty("username").GetString());
            Assert.Equal("https://kubernetes.default.svc.cluster.local", status.GetProperty("audiences")[0].GetString());
            Assert.False(good.RootElement.GetProperty("spec").TryGetProperty("token", out _));
        }

        using (var bad = await CreateAsync(kubectl, TokenReview(token + "x"), deadline.Token))
        {
            var status = bad.RootElement.GetProperty("status");
            Assert.False(status.TryGetProperty("authenticated", out var authenticated) && authenticated.GetBoolean());
            Assert.Equal("invalid bearer token", status.GetProperty("error").GetString());
        }

        // Create-only: no list; discovery shows the groups with the create verb.
        var get = await kubectl.RunAsync(["get", "selfsubjectaccessreviews"], deadline.Token);
        Assert.Contains("the server does not allow this method on the requested resource", get.StandardError, StringComparison.Ordinal);
        var versions = (await kubectl.RunAsync(["api-versions"], deadline.Token)).EnsureSuccess().StandardOutput.Split('\n');
        Assert.Contains("authentication.k8s.io/v1", versions);
        Assert.Contains("authentication.k8s.io/v1beta1", versions);
        Assert.Contains("authorization.k8s.io/v1", versions);
        var resources = (await kubectl.RunAsync(["api-resources", "--api-group=authorization.k8s.io", "-o", "wide"], deadline.Token)).EnsureSuccess().StandardOutput;
        Assert.Matches(@"(?m)^selfsubjectaccessreviews\s+authorization\.k8s\.io/v1\s+false\s+SelfSubjectAccessReview\s+create\s*$", resources);
        Assert.Matches(@"(?m)^localsubjectaccessreviews\s+authorization\.k8s\.io/v1\s+true\s+LocalSubjectAccessReview\s+create\s*$", resources);
        var explain = (await kubectl.RunAsync(["explain", "selfsubjectaccessreviews.spec"], deadline.Token)).EnsureSuccess().StandardOutput;
        Assert.Contains("nonResourceAttributes", explain, StringComparison.Ordinal);
        Assert.Contains("resourceAttributes", explain, StringComparison.Ordinal);

        using var raw = JsonDocument.Parse((await kubectl.RunAsync(["get", "--raw", "/apis/authentication.k8s.io/v1"], deadline.Token)).EnsureSuccess().StandardOutput);
        Assert.Equal(["selfsubjectreviews", "tokenreviews"], raw.RootElement.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
    }

    /// <summary>A token of the "default" account in "default", once the controller has created it.</summary>
    private static async Task<string> ServiceAccountTokenAsync(KubectlRunner kubectl, CancellationToken ct)
    {
        var result = await Eventually.UntilAsync(
            async probe => (await kubectl.RunAsync(["create", "token", "default"], probe)) is { Succeeded: true } r ? r : null,
            "a token for the default service account",
            ct);
        return result.StandardOutput.Trim();
    }

    private static async Task<bool> AllowedAsync(KubectlRunner kubectl, string review, CancellationToken ct)
    {
        using var answer = await CreateAsync(kubectl, review, ct);
        return answer.RootElement.GetProperty("status").GetProperty("allowed").GetBoolean();
    }

    /// <summary>kubectl create of a review: the answer (with its status) is what -o json prints.</summary>
    private static async Task<JsonDocument> CreateAsync(KubectlRunner kubectl, string review, CancellationToken ct)
    {
        var result = (await kubectl.RunAsync(["create", "--validate=false", "-o", "json", "-f", "-"], ct, review)).EnsureSuccess();
        return JsonDocument.Parse(result.StandardOutput);
    }

    private static string SubjectAccessReview(string user, string verb, string resource, string? group = null) => JsonSerializer.Serialize(new
    {
        apiVersion = "authorization.k8s.io/v1",
        kind = "SubjectAccessReview",
        spec = new
        {
            user,
            groups = group is null ? Array.Empty<string>() : [group],
            resourceAttributes = new { @namespace = "default", verb, resource },
        },
    });

    private static string TokenReview(string token) =>
        JsonSerializer.Serialize(new { apiVersion = "authentication.k8s.io/v1", kind = "TokenReview", spec = new { token } });
}
