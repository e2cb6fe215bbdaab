using System.Text.Json;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Kubectl;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Tests.Server;

/// <summary>Small pods and kubectl waits the server tests share.</summary>
internal static class ServerPods
{
    /// <summary>A one-container pod named <c>main</c> with a 2 s grace period; <paramref name="resources"/> is a JSON flow map.</summary>
    public static string Yaml(string name, string image, string restartPolicy, string resources, params string[] command) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: default
        spec:
          restartPolicy: {restartPolicy}
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: {image}
            command: {JsonSerializer.Serialize(command)}
            resources: {resources}

        """;

    /// <summary><c>kubectl wait</c> for a condition (up to 120 s); on failure the assertion shows the server's log.</summary>
    public static async Task WaitAsync(KubectlRunner kubectl, ServerProcess server, string[] condition, CancellationToken ct)
    {
        var wait = await kubectl.RunAsync(["wait", .. condition, "--timeout=120s"], ct);
        Assert.True(wait.Succeeded, $"kubectl wait {string.Join(' ', condition)}: {wait.StandardError}\n{await server.ReadLogAsync(ct)}");
    }
}

/// <summary>
/// One server test: a server with its own bridge and pod range that trusts the registry fixture, kubectl on its admin
/// kubeconfig, then — once the body stopped the server — a leak check by the test's prefix; the bridge goes even on failure.
/// </summary>
internal static class ServerScenario
{
    public static Task RunAsync(ServerRegistry registry, Func<ServerProcess, KubectlRunner, Task> body, CancellationToken ct, ServerNetwork? network = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return RunAsync(registry.Registry, body, ct, network);
    }

    public static async Task RunAsync(RegistryFixture registry, Func<ServerProcess, KubectlRunner, Task> body, CancellationToken ct, ServerNetwork? network = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(body);
        network = (network ?? ServerNetwork.New()) with { InsecureRegistries = [registry.Host] };
        try
        {
            await using (var server = await ServerProcess.StartAsync(ct, network: network))
            {
                using var kubectl = new KubectlRunner(server.KubeconfigPath);
                await body(server, kubectl);
            }

            await LeakCheck.AssertCleanAsync(network.Prefix, new LeakCheckOptions { ExtraDirectories = ["/var/log/pods"] }, ct);
        }
        finally
        {
            // The server's dispose deletes the bridge too; this covers a failure before it started.
            using var cleanup = TestDeadline.Seconds(30);
            await HostCleanup.DeleteBridgeAsync(network.Bridge, cleanup.Token);
        }
    }
}
