using System.Net;
using NodeAgent.Testing.Common;

namespace NodeAgent.Tests.Server;

/// <summary>
/// The whole node in one process: <c>nodeagent server</c> with its built-in runtime (real runc, conmon and CNI bridge),
/// node role and scheduler, driven by kubectl as a user would.
/// </summary>
[Collection(ServerRegistry.Collection)]
public sealed class ServerNodeTests(ServerRegistry registry)
{
    [Fact]
    public async Task A_pod_applied_with_kubectl_is_scheduled_runs_reports_status_and_deletes_without_leaks()
    {
        using var deadline = TestDeadline.Seconds(240);
        // A /16 of its own outside the /13 other tests draw their /24s from; the node takes its first /24.
        var clusterCidr = $"10.{208 + RandomByte() % 8}.0.0/16";
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            var name = server.Prefix + "-sleep";
            (await kubectl.RunAsync(["apply", "-f", "-"], deadline.Token, ServerPods.Yaml(name, registry.Image, "Always", "{}", "/bin/sleep", "3600"))).EnsureSuccess();

            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + name], deadline.Token);

            string uid;
            using (var pod = await kubectl.GetJsonAsync(["pod", name], deadline.Token))
            {
                uid = pod.RootElement.GetProperty("metadata").GetProperty("uid").GetString()!;
                Assert.NotEmpty(PodCgroupDirectories(uid));
                var spec = pod.RootElement.GetProperty("spec");
                var status = pod.RootElement.GetProperty("status");
                Assert.Equal(server.Network.NodeName, spec.GetProperty("nodeName").GetString());
                Assert.Equal("Running", status.GetProperty("phase").GetString());
                Assert.Equal("127.0.0.1", status.GetProperty("hostIP").GetString());
                var podIp = IPAddress.Parse(status.GetProperty("podIP").GetString()!);
                Assert.True(new IPNetwork(IPAddress.Parse($"{clusterCidr.Split('.')[0]}.{clusterCidr.Split('.')[1]}.0.0"), 24).Contains(podIp), $"pod IP {podIp} outside the node's first /24 of {clusterCidr}");
                var container = Assert.Single(status.GetProperty("containerStatuses").EnumerateArray().ToList());
                Assert.True(container.GetProperty("ready").GetBoolean());
                Assert.True(container.GetProperty("state").TryGetProperty("running", out _));
                Assert.StartsWith("nodeagent://", container.GetProperty("containerID").GetString(), StringComparison.Ordinal);
            }

            using (var node = await kubectl.GetJsonAsync(["node", server.Network.NodeName], deadline.Token))
            {
                var ready = node.RootElement.GetProperty("status").GetProperty("conditions").EnumerateArray()
                    .Single(c => c.GetProperty("type").GetString() == "Ready");
                Assert.Equal("True", ready.GetProperty("status").GetString());
                Assert.Equal($"{clusterCidr.Split('.')[0]}.{clusterCidr.Split('.')[1]}.0.0/24", node.RootElement.GetProperty("spec").GetProperty("podCIDR").GetString());
            }

            var delete = await kubectl.RunAsync(["delete", "pod", name, "--timeout=60s"], deadline.Token);
            Assert.True(delete.Succeeded, $"kubectl delete: {delete.StandardError}\n{await server.ReadLogAsync(deadline.Token)}");
            var gone = await kubectl.RunAsync(["get", "pod", name], deadline.Token);
            Assert.Contains("NotFound", gone.StandardError, StringComparison.Ordinal);
            // The pod cgroup (kubepods/<qos>/pod<uid>) is the node's to remove: runc removes only each container's leaf.
            await Eventually.UntilAsync(_ => Task.FromResult(PodCgroupDirectories(uid).Count == 0), $"pod cgroup of {uid} removed", deadline.Token);

            var exitCode = await server.StopAsync(deadline.Token);
            Assert.True(exitCode == 0, $"nodeagent server exited with {exitCode} on SIGTERM:\n{await server.ReadLogAsync(deadline.Token)}");
        }, deadline.Token, ServerNetwork.New(clusterCidr));
    }

    [Fact]
    public async Task An_empty_cni_bin_dir_makes_the_node_NotReady_with_kubelets_network_message()
    {
        using var deadline = TestDeadline.Seconds(120);
        using var emptyPlugins = new TempDirectory("nacni");
        var network = ServerNetwork.New() with { ExtraArguments = ["--cni-bin-dir", emptyPlugins.Path] };
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            // The runtime's Status says NetworkReady=false; kubelet turns that into Ready False, KubeletNotReady.
            var ready = await Eventually.UntilAsync(
                async ct =>
                {
                    using var node = await kubectl.GetJsonAsync(["node", server.Network.NodeName], ct);
                    var condition = node.RootElement.GetProperty("status").GetProperty("conditions").EnumerateArray()
                        .FirstOrDefault(c => c.GetProperty("type").GetString() == "Ready");
                    return condition.ValueKind == System.Text.Json.JsonValueKind.Object && condition.GetProperty("status").GetString() == "False"
                        ? new[] { condition.GetProperty("reason").GetString()!, condition.GetProperty("message").GetString()! }
                        : null;
                },
                "the node Ready False",
                deadline.Token,
                TimeSpan.FromMilliseconds(500));
            Assert.Equal("KubeletNotReady", ready[0]);
            Assert.StartsWith(
                "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: CNI plugins ",
                ready[1],
                StringComparison.Ordinal);
            Assert.Contains($"not found (or not executable) in {emptyPlugins.Path}", ready[1], StringComparison.Ordinal);

            var table = await kubectl.RunAsync(["get", "node", server.Network.NodeName, "--no-headers"], deadline.Token);
            Assert.Contains(" NotReady ", table.StandardOutput, StringComparison.Ordinal);

            // kubelet's node events, as `kubectl describe node` lists them.
            var node = server.Network.NodeName;
            string[] expected =
            [
                "Starting|Starting kubelet.",
                $"NodeHasSufficientMemory|Node {node} status is now: NodeHasSufficientMemory",
                $"NodeHasNoDiskPressure|Node {node} status is now: NodeHasNoDiskPressure",
                $"NodeHasSufficientPID|Node {node} status is now: NodeHasSufficientPID",
                $"NodeNotReady|Node {node} status is now: NodeNotReady",
            ];
            await Eventually.UntilAsync(
                async ct =>
                {
                    using var events = await kubectl.GetJsonAsync(["events"], ct);
                    var seen = events.RootElement.GetProperty("items").EnumerateArray()
                        .Where(e => e.GetProperty("involvedObject").GetProperty("kind").GetString() == "Node" && e.GetProperty("type").GetString() == "Normal")
                        .Select(e => e.GetProperty("reason").GetString() + "|" + e.GetProperty("message").GetString())
                        .ToHashSet(StringComparer.Ordinal);
                    return expected.All(seen.Contains);
                },
                "the node's Starting and status events",
                deadline.Token);
            Assert.Equal(0, await server.StopAsync(deadline.Token));
        }, deadline.Token, network);
    }

    private static List<string> PodCgroupDirectories(string uid)
        => Directory.EnumerateDirectories("/sys/fs/cgroup").Prepend("/sys/fs/cgroup")
            .SelectMany(h => new[] { "kubepods", "kubepods/burstable", "kubepods/besteffort" }.Select(q => Path.Combine(h, q, "pod" + uid)))
            .Where(Directory.Exists)
            .ToList();

    private static int RandomByte() => System.Security.Cryptography.RandomNumberGenerator.GetInt32(256);
}
