using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Testing.Tests.Kubectl;

/// <summary>
/// The real kubectl against a kubeconfig whose server is a free 127.0.0.1 port where nothing
/// listens: everything short of talking to an API server can be checked without a fake.
/// </summary>
public sealed class KubectlTests : IDisposable
{
    private readonly string _prefix = TestIds.NewPrefix();
    private readonly TempDirectory _config;
    private readonly Uri _server;

    public KubectlTests()
    {
        _config = new TempDirectory(_prefix);
        _server = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        KubeconfigFile.Write(KubeconfigPath, _server, token: "test-token");
    }

    private string KubeconfigPath => _config.Combine("kubeconfig");

    public void Dispose() => _config.Dispose();

    [Fact]
    public async Task Client_version_is_the_default_1_32()
    {
        using var cts = TestDeadline.Seconds(30);
        using var kubectl = new KubectlRunner(KubeconfigPath, tempPrefix: _prefix);

        var result = await kubectl.RunAsync(["version", "--client", "-o", "json"], cts.Token);
        using var json = await kubectl.RunJsonAsync(["version", "--client"], cts.Token);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"gitVersion\": \"v1.32", result.StandardOutput, StringComparison.Ordinal);
        Assert.StartsWith("v1.32.", json.RootElement.GetProperty("clientVersion").GetProperty("gitVersion").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("v1.32.", await kubectl.ClientVersionAsync(cts.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_pods_fails_with_connection_refused()
    {
        using var cts = TestDeadline.Seconds(30);
        using var kubectl = new KubectlRunner(KubeconfigPath, tempPrefix: _prefix);

        var result = await kubectl.RunAsync(["get", "pods", "--request-timeout=5s"], cts.Token);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"The connection to the server {_server.Authority} was refused", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("connect: connection refused", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_and_apply_helpers_throw_with_kubectl_output_on_failure()
    {
        using var cts = TestDeadline.Seconds(30);
        using var kubectl = new KubectlRunner(KubeconfigPath, tempPrefix: _prefix);
        const string ConfigMap = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: demo
            data:
              key: value
            """;

        var get = await Assert.ThrowsAsync<InvalidOperationException>(() => kubectl.GetJsonAsync(["pods", "--request-timeout=5s"], cts.Token));
        var apply = await Assert.ThrowsAsync<InvalidOperationException>(() => kubectl.ApplyAsync(ConfigMap, cts.Token));

        Assert.Contains("connection refused", get.Message, StringComparison.Ordinal);
        // The YAML reached kubectl over stdin: it got as far as contacting the server.
        Assert.Contains("connection refused", apply.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no objects passed", apply.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uses_only_the_given_kubeconfig_and_a_private_home_and_cache()
    {
        using var cts = TestDeadline.Seconds(30);
        var realKube = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube");
        var realKubeExisted = Directory.Exists(realKube);
        string tempPath;
        using (var kubectl = new KubectlRunner(KubeconfigPath, tempPrefix: _prefix))
        using (var other = new KubectlRunner(KubeconfigPath, tempPrefix: _prefix))
        {
            tempPath = kubectl.TempPath;

            var server = await kubectl.RunAsync(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"], cts.Token);
            await kubectl.RunAsync(["get", "pods", "--request-timeout=5s"], cts.Token);

            Assert.Equal(_server.ToString().TrimEnd('/'), server.EnsureSuccess().StandardOutput);
            Assert.Equal(kubectl.HomeDirectory, kubectl.EnvironmentOverrides["HOME"]);
            Assert.Equal(KubeconfigPath, kubectl.EnvironmentOverrides["KUBECONFIG"]);
            Assert.StartsWith(kubectl.TempPath + "/", kubectl.HomeDirectory, StringComparison.Ordinal);
            Assert.StartsWith(kubectl.TempPath + "/", kubectl.CacheDirectory, StringComparison.Ordinal);
            Assert.NotEqual(kubectl.CacheDirectory, other.CacheDirectory);
        }

        Assert.False(Directory.Exists(tempPath));
        Assert.Equal(realKubeExisted, Directory.Exists(realKube));
        _config.Dispose();
        await LeakCheck.AssertCleanAsync(_prefix, cts.Token);
    }
}
