using System.Text.Json;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Tests.Server;

/// <summary>
/// Node-pressure and local-storage eviction on a real server (built-in runtime, runc, conmon, CNI) driven by kubectl.
/// The pressure is real by construction, not faked: <c>memory.available&lt;1Ei</c> is met on every machine there is,
/// because no machine has an exbibyte of free memory.
/// </summary>
[Collection(ServerRegistry.Collection)]
public sealed class ServerEvictionTests(ServerRegistry registry)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Memory_pressure_taints_the_node_evicts_a_running_pod_and_keeps_new_pods_pending()
    {
        using var deadline = TestDeadline.Seconds(240);
        var network = ServerNetwork.New() with { ExtraArguments = ["--eviction-hard", "memory.available<1Ei"] };
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            var node = server.Network.NodeName;

            // The node reports MemoryPressure with kubelet's reason and carries the NoSchedule taint.
            await UntilAsync(async ct =>
            {
                using var json = await kubectl.GetJsonAsync(["node", node], ct);
                var pressure = Condition(json.RootElement, "MemoryPressure");
                var tainted = json.RootElement.GetProperty("spec").TryGetProperty("taints", out var taints)
                    && taints.EnumerateArray().Any(t => t.GetProperty("key").GetString() == "node.kubernetes.io/memory-pressure" && t.GetProperty("effect").GetString() == "NoSchedule");
                return pressure is { } c && c.GetProperty("status").GetString() == "True"
                    && c.GetProperty("reason").GetString() == "KubeletHasInsufficientMemory"
                    && c.GetProperty("message").GetString() == "kubelet has insufficient memory available"
                    && tainted ? json.RootElement.Clone() : (JsonElement?)null;
            }, "MemoryPressure True and the memory-pressure taint on the node", deadline.Token);

            // A pod tolerating the taint is scheduled and then evicted (nothing else runs, so it ranks first).
            var victim = server.Prefix + "-victim";
            (await kubectl.RunAsync(["apply", "-f", "-"], deadline.Token, TolerantPod(victim, registry.Image))).EnsureSuccess();
            var status = await UntilAsync(async ct =>
            {
                using var json = await kubectl.GetJsonAsync(["pod", victim], ct);
                var s = json.RootElement.GetProperty("status");
                return s.TryGetProperty("reason", out var r) && r.GetString() == "Evicted" ? json.RootElement.Clone() : (JsonElement?)null;
            }, "the tolerating pod to be evicted", deadline.Token);
            var podStatus = status!.Value.GetProperty("status");
            Assert.Equal("Failed", podStatus.GetProperty("phase").GetString());
            var message = podStatus.GetProperty("message").GetString()!;
            Assert.Matches(@"^The node was low on resource: memory\. Threshold quantity: 1Ei, available: \d+(Ki|Mi|Gi)?\. ", message);
            var target = podStatus.GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "DisruptionTarget");
            Assert.Equal(("True", "TerminationByKubelet", message), (target.GetProperty("status").GetString(), target.GetProperty("reason").GetString(), target.GetProperty("message").GetString()));

            // The evicted pod's content is gone: no containers or sandbox in the runtime, no pod cgroup.
            var uid = status.Value.GetProperty("metadata").GetProperty("uid").GetString()!;
            using (var cri = CriClientFactory.Connect(server.CriEndpoint))
            {
                await Eventually.UntilAsync(async ct =>
                {
                    var containers = await cri.Runtime.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = uid } } }, cancellationToken: ct);
                    var sandboxes = await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = uid } } }, cancellationToken: ct);
                    return containers.Containers.Count == 0 && sandboxes.Items.Count == 0 && PodCgroupDirectories(uid).Count == 0;
                }, "the evicted pod's containers, sandbox and cgroup removed", deadline.Token);
            }

            // kubelet's events: Evicted on the pod, EvictionThresholdMet on the node.
            using (var events = await kubectl.GetJsonAsync(["events"], deadline.Token))
            {
                var items = events.RootElement.GetProperty("items").EnumerateArray().ToList();
                Assert.Contains(items, e => e.GetProperty("involvedObject").GetProperty("name").GetString() == victim
                    && e.GetProperty("type").GetString() == "Warning" && e.GetProperty("reason").GetString() == "Evicted" && e.GetProperty("message").GetString() == message);
                Assert.Contains(items, e => e.GetProperty("involvedObject").GetProperty("kind").GetString() == "Node"
                    && e.GetProperty("reason").GetString() == "EvictionThresholdMet" && e.GetProperty("message").GetString() == "Attempting to reclaim memory");
            }

            // A pod without the toleration is not scheduled.
            var pending = server.Prefix + "-pending";
            (await kubectl.RunAsync(["apply", "-f", "-"], deadline.Token, ServerPods.Yaml(pending, registry.Image, "Never", "{}", "/bin/sleep", "3600"))).EnsureSuccess();
            var scheduled = await UntilAsync(async ct =>
            {
                using var json = await kubectl.GetJsonAsync(["pod", pending], ct);
                return json.RootElement.GetProperty("status").TryGetProperty("conditions", out var conditions)
                    ? conditions.EnumerateArray().FirstOrDefault(c => c.GetProperty("type").GetString() == "PodScheduled").Clone()
                    : (JsonElement?)null;
            }, "PodScheduled of the pending pod", deadline.Token);
            Assert.Equal(("False", "Unschedulable"), (scheduled!.Value.GetProperty("status").GetString(), scheduled.Value.GetProperty("reason").GetString()));
            Assert.Contains("untolerated taint {node.kubernetes.io/memory-pressure: }", scheduled.Value.GetProperty("message").GetString(), StringComparison.Ordinal);
            using (var pod = await kubectl.GetJsonAsync(["pod", pending], deadline.Token))
            {
                Assert.Equal("Pending", pod.RootElement.GetProperty("status").GetProperty("phase").GetString());
                Assert.False(pod.RootElement.GetProperty("spec").TryGetProperty("nodeName", out _));
            }

            (await kubectl.RunAsync(["delete", "pod", victim, pending, "--timeout=60s"], deadline.Token)).EnsureSuccess();
        }, deadline.Token, network);
    }

    [Fact]
    public async Task A_pod_writing_past_its_emptydir_size_limit_is_evicted()
    {
        using var deadline = TestDeadline.Seconds(240);
        // A threshold no machine meets, so only the pod's own limit can evict it.
        var network = ServerNetwork.New() with { ExtraArguments = ["--eviction-hard", "pid.available<1"] };
        await ServerScenario.RunAsync(registry, async (server, kubectl) =>
        {
            var name = server.Prefix + "-writer";
            (await kubectl.RunAsync(["apply", "-f", "-"], deadline.Token, EmptyDirWriter(name, registry.Image))).EnsureSuccess();
            var evicted = await UntilAsync(async ct =>
            {
                using var json = await kubectl.GetJsonAsync(["pod", name], ct);
                var s = json.RootElement.GetProperty("status");
                return s.TryGetProperty("reason", out var r) && r.GetString() == "Evicted" ? json.RootElement.Clone() : (JsonElement?)null;
            }, "the emptyDir writer to be evicted", deadline.Token);
            var status = evicted!.Value.GetProperty("status");
            Assert.Equal("Failed", status.GetProperty("phase").GetString());
            Assert.Equal("Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ", status.GetProperty("message").GetString());
            var uid = evicted.Value.GetProperty("metadata").GetProperty("uid").GetString()!;
            await Eventually.UntilAsync(
                _ => Task.FromResult(!Directory.Exists(Path.Combine(server.DataDir, "pods", uid, "volumes")) && PodCgroupDirectories(uid).Count == 0),
                "the evicted pod's emptyDir and cgroup removed",
                deadline.Token);

            using (var node = await kubectl.GetJsonAsync(["node", server.Network.NodeName], deadline.Token))
            {
                Assert.All(new[] { "MemoryPressure", "DiskPressure", "PIDPressure" }, type => Assert.Equal("False", Condition(node.RootElement, type)!.Value.GetProperty("status").GetString()));
            }

            (await kubectl.RunAsync(["delete", "pod", name, "--timeout=60s"], deadline.Token)).EnsureSuccess();
        }, deadline.Token, network);
    }

    /// <summary>Polls (every 500 ms: each probe is a kubectl run) until the probe yields an element.</summary>
    private static async Task<JsonElement?> UntilAsync(Func<CancellationToken, Task<JsonElement?>> probe, string what, CancellationToken ct)
    {
        var box = await Eventually.UntilAsync<System.Runtime.CompilerServices.StrongBox<JsonElement>>(
            async c => await probe(c) is { } element ? new(element) : null, what, ct, Poll);
        return box.Value;
    }

    private static JsonElement? Condition(JsonElement node, string type)
        => node.GetProperty("status").TryGetProperty("conditions", out var conditions)
            ? conditions.EnumerateArray().Where(c => c.GetProperty("type").GetString() == type).Select(c => (JsonElement?)c).FirstOrDefault()
            : null;

    private static string TolerantPod(string name, string image) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: default
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 2
          tolerations:
          - key: node.kubernetes.io/memory-pressure
            operator: Exists
            effect: NoSchedule
          containers:
          - name: main
            image: {image}
            command: ["/bin/sleep", "3600"]

        """;

    private static string EmptyDirWriter(string name, string image) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: default
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: {image}
            command: ["/bin/sh", "-c", "dd if=/dev/zero of=/scratch/fill bs=1048576 count=4 && exec /bin/sleep 3600"]
            volumeMounts:
            - name: scratch
              mountPath: /scratch
          volumes:
          - name: scratch
            emptyDir:
              sizeLimit: 1Mi

        """;

    private static List<string> PodCgroupDirectories(string uid)
        => Directory.EnumerateDirectories("/sys/fs/cgroup").Prepend("/sys/fs/cgroup")
            .SelectMany(h => new[] { "kubepods", "kubepods/burstable", "kubepods/besteffort" }.Select(q => Path.Combine(h, q, "pod" + uid)))
            .Where(Directory.Exists)
            .ToList();
}
