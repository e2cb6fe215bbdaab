using System.Globalization;
using System.Text.Json;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Tests.Server;

/// <summary>
/// What a user sees through kubectl when pods misbehave or do not fit: OOMKilled, CrashLoopBackOff with a growing
/// restartCount, and a pod that waits Unschedulable until room frees up — one real server for all three.
/// </summary>
[Collection(ServerRegistry.Collection)]
public sealed class ServerPodBehaviourTests(ServerRegistry registry)
{
    [Fact]
    public async Task Oom_crash_loop_and_an_unschedulable_pod_show_through_kubectl()
    {
        using var deadline = TestDeadline.Seconds(300);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            var (hog, crasher, big, waiter) = (server.Prefix + "-hog", server.Prefix + "-crash", server.Prefix + "-big", server.Prefix + "-waiter");
            var allocatableMilli = await AllocatableMilliCpuAsync(kubectl, server.Network.NodeName, ct);
            var manifests = string.Join("---\n",
                ServerPods.Yaml(hog, registry.Image, "Never", """{"limits": {"memory": "16Mi"}}""", "/bin/sh", "-c", "exec /usr/bin/tail /dev/zero"),
                ServerPods.Yaml(crasher, registry.Image, "Always", "{}", "/bin/sh", "-c", "echo crashing; exit 1"),
                ServerPods.Yaml(big, registry.Image, "Always", CpuRequest(allocatableMilli * 3 / 4), "/bin/sleep", "3600"));
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, manifests)).EnsureSuccess();

            // OOMKilled: the memory limit is enforced and reported with exit code 137.
            await ServerPods.WaitAsync(kubectl, server, ["--for=jsonpath={.status.phase}=Failed", "pod/" + hog], ct);
            using (var pod = await kubectl.GetJsonAsync(["pod", hog], ct))
            {
                var terminated = Container(pod).GetProperty("state").GetProperty("terminated");
                Assert.Equal("OOMKilled", terminated.GetProperty("reason").GetString());
                Assert.Equal(137, terminated.GetProperty("exitCode").GetInt32());
            }

            // CrashLoopBackOff: restarts with back-off, the restart count grows, the last exit is lastState.
            await ServerPods.WaitAsync(kubectl, server, ["--for=jsonpath={.status.containerStatuses[0].restartCount}=2", "pod/" + crasher], ct);
            await Eventually.UntilAsync(
                async probe =>
                {
                    using var pod = await kubectl.GetJsonAsync(["pod", crasher], probe);
                    var status = Container(pod);
                    return status.GetProperty("state").TryGetProperty("waiting", out var waiting)
                        && waiting.GetProperty("reason").GetString() == "CrashLoopBackOff"
                        && status.GetProperty("lastState").GetProperty("terminated").GetProperty("exitCode").GetInt32() == 1;
                },
                "the crasher waiting in CrashLoopBackOff with its last exit code",
                ct);
            var table = await kubectl.RunAsync(["get", "pod", crasher, "--no-headers"], ct);
            Assert.Contains("CrashLoopBackOff", table.StandardOutput, StringComparison.Ordinal);

            // The batch queue: a pod that does not fit waits Unschedulable and runs once the big one is deleted.
            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + big], ct);
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, ServerPods.Yaml(waiter, registry.Image, "Always", CpuRequest(allocatableMilli / 2), "/bin/sleep", "3600"))).EnsureSuccess();
            await ServerPods.WaitAsync(kubectl, server, ["--for=jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].reason}=Unschedulable", "pod/" + waiter], ct);
            using (var pending = await kubectl.GetJsonAsync(["pod", waiter], ct))
            {
                Assert.Equal("Pending", pending.RootElement.GetProperty("status").GetProperty("phase").GetString());
                Assert.False(pending.RootElement.GetProperty("spec").TryGetProperty("nodeName", out _));
            }

            (await kubectl.RunAsync(["delete", "pod", big, "--timeout=60s"], ct)).EnsureSuccess();
            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + waiter], ct);

            var delete = await kubectl.RunAsync(["delete", "pod", hog, crasher, waiter, "--timeout=90s"], ct);
            Assert.True(delete.Succeeded, $"kubectl delete: {delete.StandardError}\n{await server.ReadLogAsync(ct)}");
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct);
    }

    private static string CpuRequest(long milli) => "{\"requests\": {\"cpu\": \"" + milli.ToString(CultureInfo.InvariantCulture) + "m\"}}";

    private static JsonElement Container(JsonDocument pod)
        => pod.RootElement.GetProperty("status").GetProperty("containerStatuses").EnumerateArray().Single();

    private static async Task<long> AllocatableMilliCpuAsync(KubectlRunner kubectl, string node, CancellationToken ct)
    {
        var cpu = await Eventually.UntilAsync(
            async probe =>
            {
                var get = await kubectl.RunAsync(["get", "node", node, "-o", "jsonpath={.status.allocatable.cpu}"], probe);
                return get.Succeeded && get.StandardOutput.Trim().Length > 0 ? get.StandardOutput.Trim() : null;
            },
            "the node to report its allocatable CPU",
            ct);
        return cpu.EndsWith('m') ? long.Parse(cpu[..^1], CultureInfo.InvariantCulture) : long.Parse(cpu, CultureInfo.InvariantCulture) * 1000;
    }
}
