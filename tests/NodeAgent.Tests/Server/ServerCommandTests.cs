using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using NodeAgent.Api.Security;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Etcd;
using NodeAgent.Testing.Kubectl;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Tests.Server;

/// <summary>
/// The real <c>nodeagent server</c> process: start-up order, credentials, TLS, authentication as
/// clients (kubectl, HttpClient) see them, restart and shutdown. Until the discovery and resource
/// handlers exist, a request that passes authentication may get 404; these tests only assert
/// what the security layer decides (401/403 or not).
/// </summary>
public sealed class ServerCommandTests
{
    [Fact]
    public async Task Kubeconfig_appears_only_once_healthz_answers_and_is_private()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var server = ServerProcess.Launch();

        // The first moment the kubeconfig exists, the API must already answer.
        await server.WaitForKubeconfigAsync(cts.Token);
        using var client = server.CreateClient();
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative), cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(PrivateFile.OwnerOnly, File.GetUnixFileMode(server.KubeconfigPath));
        Assert.Equal(PrivateFile.OwnerOnly, File.GetUnixFileMode(Path.Combine(server.DataDir, "admin.token")));
        Assert.Contains($"admin kubeconfig written to {server.KubeconfigPath}", await server.ReadLogAsync(cts.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_log_level_logs_each_request_with_its_status()
    {
        using var cts = TestDeadline.Seconds(60);
        var network = ServerNetwork.New() with { Environment = new Dictionary<string, string> { ["NODEAGENT_LOG_LEVEL"] = "Trace" } };
        await using var server = await ServerProcess.StartAsync(cts.Token, network: network);
        using var kubectl = new KubectlRunner(server.KubeconfigPath);

        (await kubectl.RunAsync(["get", "--raw", "/api/v1/namespaces/kube-system"], cts.Token)).EnsureSuccess();
        await kubectl.RunAsync(["get", "configmap", "no-such-map"], cts.Token);

        // The console logger writes on its own thread: wait for the second request's line, then check both.
        const string missing = @"Request finished HTTP/\S+ GET https://[^ ]+/api/v1/namespaces/default/configmaps/no-such-map - 404 ";
        await Eventually.UntilAsync(async probe => Regex.IsMatch(await server.ReadLogAsync(probe), missing), "the 404 request's log line", cts.Token);
        Assert.Matches(@"Request finished HTTP/\S+ GET https://[^ ]+/api/v1/namespaces/kube-system - 200 ", await server.ReadLogAsync(cts.Token));
    }

    [Theory]
    [InlineData("default")]
    [InlineData("1.27")]
    public async Task Kubectl_trusts_the_server_through_the_admin_kubeconfig(string kubectlVersion)
    {
        using var cts = TestDeadline.Seconds(60);
        await using var server = await ServerProcess.StartAsync(cts.Token);
        using var kubectl = new KubectlRunner(server.KubeconfigPath, kubectlVersion == "default" ? null : KubectlBinaries.Require(kubectlVersion));

        var healthz = (await kubectl.RunAsync(["get", "--raw", "/healthz"], cts.Token)).EnsureSuccess();
        var api = await kubectl.RunAsync(["get", "--raw", "/api"], cts.Token);

        Assert.Equal("ok", healthz.StandardOutput.Trim());
        Assert.DoesNotContain("Unauthorized", api.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("certificate", api.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-the-token")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    public async Task Missing_or_bad_credentials_get_401_with_a_Status(string? authorization)
    {
        using var cts = TestDeadline.Seconds(60);
        await using var server = await ServerProcess.StartAsync(cts.Token);
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertStatusAsync(response, 401, "Unauthorized", cts.Token);
    }

    [Fact]
    public async Task Admin_token_passes_authentication_and_authorization()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var server = await ServerProcess.StartAsync(cts.Token);
        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken.Load(Path.Combine(server.DataDir, "admin.token")));

        using var response = await client.GetAsync(new Uri("/api/v1/namespaces", UriKind.Relative), cts.Token);

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Client_certificate_from_our_ca_works_with_kubectl_and_one_from_another_ca_gets_401()
    {
        using var cts = TestDeadline.Seconds(90);
        await using var server = await ServerProcess.StartAsync(cts.Token);
        using var ca = LoadServerCa(server);
        using var ours = ca.IssueClientCertificate("jane", ["system:masters"], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        using var otherCa = CertificateAuthority.Create("nodeagent-ca", DateTimeOffset.UtcNow);
        using var theirs = otherCa.IssueClientCertificate("jane", ["system:masters"], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var oursConfig = Path.Combine(server.DataDir, "..", "jane.kubeconfig");
        var theirsConfig = Path.Combine(server.DataDir, "..", "mallory.kubeconfig");
        PrivateFile.WriteAllText(oursConfig, AdminKubeconfig.WithClientCertificate(server.BaseUri, ca.Certificate, ours));
        PrivateFile.WriteAllText(theirsConfig, AdminKubeconfig.WithClientCertificate(server.BaseUri, ca.Certificate, theirs));
        using var oursKubectl = new KubectlRunner(oursConfig);
        using var theirsKubectl = new KubectlRunner(theirsConfig);

        var accepted = await oursKubectl.RunAsync(["get", "--raw", "/api/v1/namespaces"], cts.Token);
        var rejected = await theirsKubectl.RunAsync(["get", "--raw", "/api/v1/namespaces"], cts.Token);

        Assert.DoesNotContain("Unauthorized", accepted.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Forbidden", accepted.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("Unauthorized", rejected.StandardError, StringComparison.Ordinal);

        using var theirsClient = server.CreateClient(theirs);
        using var response = await theirsClient.GetAsync(new Uri("/api/v1/namespaces", UriKind.Relative), cts.Token);
        await AssertStatusAsync(response, 401, "Unauthorized", cts.Token);
    }

    [Fact]
    public async Task A_user_outside_system_masters_may_read_discovery_but_gets_403_elsewhere()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var server = await ServerProcess.StartAsync(cts.Token);
        using var ca = LoadServerCa(server);
        using var bob = ca.IssueClientCertificate("bob", ["dev"], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        using var client = server.CreateClient(bob);

        using var discovery = await client.GetAsync(new Uri("/apis", UriKind.Relative), cts.Token);
        using var create = await client.PostAsync(new Uri("/api/v1/namespaces", UriKind.Relative), new StringContent("{}"), cts.Token);

        Assert.NotEqual(HttpStatusCode.Forbidden, discovery.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, discovery.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        var message = await AssertStatusAsync(create, 403, "Forbidden", cts.Token);
        Assert.Contains("User \"bob\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_with_the_same_data_dir_keeps_the_ca_and_token()
    {
        using var cts = TestDeadline.Seconds(90);
        await using var first = await ServerProcess.StartAsync(cts.Token);
        var kubeconfigBefore = await File.ReadAllTextAsync(first.KubeconfigPath, cts.Token);
        var oldKubeconfig = first.KubeconfigPath + ".old";
        await File.WriteAllTextAsync(oldKubeconfig, kubeconfigBefore, cts.Token);

        await using var second = await first.RestartAsync(cts.Token);
        using var kubectl = new KubectlRunner(oldKubeconfig);
        var healthz = (await kubectl.RunAsync(["get", "--raw", "/healthz"], cts.Token)).EnsureSuccess();
        var api = await kubectl.RunAsync(["get", "--raw", "/api/v1/namespaces"], cts.Token);

        Assert.Equal(kubeconfigBefore, await File.ReadAllTextAsync(second.KubeconfigPath, cts.Token));
        Assert.Equal("ok", healthz.StandardOutput.Trim());
        Assert.DoesNotContain("Unauthorized", api.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_stops_the_server_cleanly()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var server = await ServerProcess.StartAsync(cts.Token);

        var exitCode = await server.StopAsync(cts.Token);

        Assert.Equal(0, exitCode);
        var log = await server.ReadLogAsync(cts.Token);
        Assert.Contains("Shutting down", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(async () => await probe.ConnectAsync(IPAddress.Loopback, server.Port, cts.Token));
    }

    [Fact]
    public async Task Etcd_datastore_endpoint_works()
    {
        using var cts = TestDeadline.Seconds(120);
        await using var etcd = await EtcdFixture.StartNewAsync(EtcdOptions.Default, cts.Token);
        await using var server = await ServerProcess.StartAsync(cts.Token, etcd.Endpoint);
        using var kubectl = new KubectlRunner(server.KubeconfigPath);

        var healthz = (await kubectl.RunAsync(["get", "--raw", "/healthz"], cts.Token)).EnsureSuccess();

        Assert.Equal("ok", healthz.StandardOutput.Trim());
        Assert.Contains(etcd.Endpoint, await server.ReadLogAsync(cts.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_etcd_is_a_one_line_error()
    {
        using var cts = TestDeadline.Seconds(60);
        var endpoint = $"http://127.0.0.1:{FreePort.Next()}";

        var result = await RunServerToExitAsync(cts.Token, "--datastore-endpoint", endpoint);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches($"^nodeagent server: cannot open the datastore {endpoint}: etcd at .* did not answer", result.StandardError);
        Assert.Single(result.StandardError.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Port_in_use_is_a_one_line_error()
    {
        using var cts = TestDeadline.Seconds(60);
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await RunServerToExitAsync(cts.Token, "--api-port", port);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"nodeagent server: port {port} on 127.0.0.1 is already in use (another nodeagent or kube-apiserver?); stop it or choose another with --api-port",
            result.StandardError.Trim());
    }

    [Fact]
    public async Task Unwritable_data_dir_is_a_one_line_error()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory(TestIds.NewPrefix());
        var file = dir.Combine("a-file");
        await File.WriteAllTextAsync(file, "", cts.Token);

        // Root may write anywhere, but not below a regular file.
        var result = await RunServerToExitAsync(cts.Token, "--data-dir", Path.Combine(file, "data"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"nodeagent server: data dir {file}/data is not writable", result.StandardError, StringComparison.Ordinal);
        Assert.Single(result.StandardError.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Kubeconfig_command_prints_a_kubeconfig_that_works_with_kubectl()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var server = await ServerProcess.StartAsync(cts.Token);

        var printed = (await TestProcess.RunAsync("dotnet",
            ["exec", ServerProcess.NodeAgentDll, "kubeconfig", "--config", Path.Combine(server.DataDir, "..", "config.yaml"),
             "--data-dir", server.DataDir, "--api-port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            cts.Token)).EnsureSuccess();
        var path = Path.Combine(server.DataDir, "..", "printed.kubeconfig");
        PrivateFile.WriteAllText(path, printed.StandardOutput);
        using var kubectl = new KubectlRunner(path);
        var api = await kubectl.RunAsync(["get", "--raw", "/api/v1/namespaces"], cts.Token);

        Assert.Equal(await File.ReadAllTextAsync(server.KubeconfigPath, cts.Token), printed.StandardOutput);
        Assert.Equal("ok", (await kubectl.RunAsync(["get", "--raw", "/healthz"], cts.Token)).EnsureSuccess().StandardOutput.Trim());
        Assert.DoesNotContain("Unauthorized", api.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubeconfig_command_without_a_server_says_what_to_do()
    {
        using var cts = TestDeadline.Seconds(30);
        using var dir = new TempDirectory(TestIds.NewPrefix());
        await File.WriteAllTextAsync(dir.Combine("config.yaml"), $"data-dir: {dir.Path}\n", cts.Token);

        var result = await TestProcess.RunAsync("dotnet",
            ["exec", ServerProcess.NodeAgentDll, "kubeconfig", "--config", dir.Combine("config.yaml")], cts.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.StandardOutput);
        Assert.Equal($"nodeagent kubeconfig: no admin credentials in {dir.Path} (start 'nodeagent server --data-dir {dir.Path}' once first)", result.StandardError.Trim());
    }

    private static CertificateAuthority LoadServerCa(ServerProcess server)
    {
        var tls = Path.Combine(server.DataDir, "tls");
        return new CertificateAuthority(X509Certificate2.CreateFromPemFile(Path.Combine(tls, "ca.crt"), Path.Combine(tls, "ca.key")));
    }

    private static async Task<ProcessResult> RunServerToExitAsync(CancellationToken ct, params string[] flags)
    {
        using var dir = new TempDirectory(TestIds.NewPrefix());
        var config = dir.Combine("config.yaml");
        await File.WriteAllTextAsync(config, $"data-dir: {dir.Combine("data")}\n", ct);
        List<string> defaults = ["--kubeconfig", dir.Combine("admin.kubeconfig")];
        if (!flags.Contains("--api-port"))
        {
            defaults.AddRange(["--api-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        var result = await TestProcess.RunAsync("dotnet", ["exec", ServerProcess.NodeAgentDll, "server", "--config", config, .. defaults, .. flags], ct);
        Assert.False(File.Exists(dir.Combine("admin.kubeconfig")));
        return result;
    }

    /// <summary>The body is a meta/v1 Status with the code and reason; returns its message.</summary>
    private static async Task<string> AssertStatusAsync(HttpResponseMessage response, int code, string reason, CancellationToken ct)
    {
        Assert.Equal(code, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var root = status.RootElement;
        Assert.Equal("Status", root.GetProperty("kind").GetString());
        Assert.Equal("v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("Failure", root.GetProperty("status").GetString());
        Assert.Equal(reason, root.GetProperty("reason").GetString());
        Assert.Equal(code, root.GetProperty("code").GetInt32());
        return root.GetProperty("message").GetString() ?? "";
    }
}
