using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Controllers.Machinery;
using NodeAgent.Controllers.Scheduler;
using NodeAgent.Testing.Common;

namespace NodeAgent.Controllers.Tests.Integration;

/// <summary>
/// Our scheduler against a real <c>nodeagent server</c>. Its pods use their own schedulerName and select the test's own
/// (kubelet-less) Node objects, so the server's own scheduler and node never touch them.
/// </summary>
[Trait("Needs", "ApiServer")]
public sealed class SchedulerIntegrationTests
{
    [Fact]
    public async Task A_pending_pod_is_bound_to_a_node_with_room_and_gets_a_Scheduled_event()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        var test = new SchedulerTest(client);
        await test.CreateNodeAsync("small", cpu: "1", deadline.Token);
        await test.CreateNodeAsync("big", cpu: "4", deadline.Token);
        await using var scheduler = await test.StartSchedulerAsync(deadline.Token);

        await test.CreatePodAsync("web", cpu: "2", deadline.Token);

        var bound = await Eventually.UntilAsync(async ct => (await client.CoreV1.ReadNamespacedPodAsync("web", "default", cancellationToken: ct)) is { Spec.NodeName: { Length: > 0 } } p ? p : null, "the pod to be bound", deadline.Token);
        Assert.Equal(test.NodeName("big"), bound.Spec.NodeName);
        var scheduled = await test.WaitForEventAsync("web", "Scheduled", deadline.Token);
        Assert.Equal($"Successfully assigned default/web to {test.NodeName("big")}", scheduled.Message);
        Assert.Equal(test.SchedulerName, scheduled.Source.Component);
    }

    [Fact]
    public async Task A_pod_that_does_not_fit_waits_Unschedulable_and_is_bound_once_room_frees()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        var test = new SchedulerTest(client);
        await test.CreateNodeAsync("only", cpu: "1", deadline.Token);
        await using var scheduler = await test.StartSchedulerAsync(deadline.Token);
        await test.CreatePodAsync("first", cpu: "800m", deadline.Token);
        await Eventually.UntilAsync(async ct => !string.IsNullOrEmpty((await client.CoreV1.ReadNamespacedPodAsync("first", "default", cancellationToken: ct)).Spec.NodeName), "first pod bound", deadline.Token);

        await test.CreatePodAsync("second", cpu: "500m", deadline.Token);

        var waiting = await Eventually.UntilAsync(
            async ct => (await client.CoreV1.ReadNamespacedPodAsync("second", "default", cancellationToken: ct)).Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False"),
            "PodScheduled=False on the second pod",
            deadline.Token);
        Assert.Equal("Unschedulable", waiting.Reason);
        Assert.StartsWith("0/", waiting.Message, StringComparison.Ordinal);
        Assert.Contains("1 Insufficient cpu", waiting.Message, StringComparison.Ordinal);
        var failed = await test.WaitForEventAsync("second", "FailedScheduling", deadline.Token);
        Assert.Equal("Warning", failed.Type);

        await client.CoreV1.DeleteNamespacedPodAsync("first", "default", new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: deadline.Token);

        var bound = await Eventually.UntilAsync(async ct => (await client.CoreV1.ReadNamespacedPodAsync("second", "default", cancellationToken: ct)) is { Spec.NodeName: { Length: > 0 } } p ? p : null, "the waiting pod to be bound", deadline.Token);
        Assert.Equal(test.NodeName("only"), bound.Spec.NodeName);
    }

    [Fact]
    public async Task Taints_and_host_ports_keep_pods_off_a_node()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        var test = new SchedulerTest(client);
        await test.CreateNodeAsync("tainted", cpu: "4", deadline.Token, new V1Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" });
        await test.CreateNodeAsync("plain", cpu: "1", deadline.Token);
        await using var scheduler = await test.StartSchedulerAsync(deadline.Token);

        await test.CreatePodAsync("a", cpu: "100m", deadline.Token, hostPort: 18080);
        await test.CreatePodAsync("b", cpu: "100m", deadline.Token, hostPort: 18080);

        var a = await Eventually.UntilAsync(async ct => (await client.CoreV1.ReadNamespacedPodAsync("a", "default", cancellationToken: ct)) is { Spec.NodeName: { Length: > 0 } } p ? p : null, "pod a bound", deadline.Token);
        Assert.Equal(test.NodeName("plain"), a.Spec.NodeName);
        var b = await Eventually.UntilAsync(
            async ct => (await client.CoreV1.ReadNamespacedPodAsync("b", "default", cancellationToken: ct)).Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False"),
            "pod b unschedulable",
            deadline.Token);
        Assert.Contains("1 node(s) had untolerated taint {dedicated: db}", b.Message, StringComparison.Ordinal);
        Assert.Contains("1 node(s) didn't have free ports for the requested pod ports", b.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pods_created_at_once_are_bound_in_parallel_without_overcommitting_the_node()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        var test = new SchedulerTest(client);
        await test.CreateNodeAsync("only", cpu: "1", deadline.Token);
        await using var scheduler = await test.StartSchedulerAsync(deadline.Token);

        // 14 × 100m on a 1-CPU node: exactly 10 fit, however the parallel binds interleave.
        var names = Enumerable.Range(0, 14).Select(i => $"p{i}").ToList();
        await Task.WhenAll(names.Select(n => test.CreatePodAsync(n, cpu: "100m", deadline.Token)));

        var pods = await Eventually.UntilAsync(
            async ct =>
            {
                var list = (await client.CoreV1.ListNamespacedPodAsync("default", cancellationToken: ct)).Items.Where(p => names.Contains(p.Metadata.Name)).ToList();
                var settled = list.Count(p => !string.IsNullOrEmpty(p.Spec.NodeName)) + list.Count(p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "Unschedulable") == true);
                return settled == names.Count ? list : null;
            },
            "every pod bound or unschedulable",
            deadline.Token);
        Assert.Equal(10, pods.Count(p => p.Spec.NodeName == test.NodeName("only")));
        Assert.Equal(4, scheduler.UnschedulableCount);
    }

    /// <summary>The test's nodes, pods and scheduler, all named after a fresh prefix.</summary>
    private sealed class SchedulerTest(IKubernetes client)
    {
        private readonly string _prefix = TestIds.NewPrefix();

        public string SchedulerName => _prefix + "-scheduler";

        public string NodeName(string name) => $"{_prefix}-{name}";

        public async Task CreateNodeAsync(string name, string cpu, CancellationToken cancellationToken, params V1Taint[] taints)
        {
            var node = await client.CoreV1.CreateNodeAsync(
                new V1Node
                {
                    Metadata = new V1ObjectMeta { Name = NodeName(name), Labels = new Dictionary<string, string> { [_prefix] = "true" } },
                    Spec = new V1NodeSpec { Taints = taints.Length == 0 ? null : taints },
                },
                cancellationToken: cancellationToken);
            node.Status = new V1NodeStatus
            {
                Capacity = Resources(cpu),
                Allocatable = Resources(cpu),
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", LastHeartbeatTime = DateTime.UtcNow, LastTransitionTime = DateTime.UtcNow }],
            };
            await client.CoreV1.ReplaceNodeStatusAsync(node, node.Metadata.Name, cancellationToken: cancellationToken);
        }

        public async Task CreatePodAsync(string name, string cpu, CancellationToken cancellationToken, int? hostPort = null)
        {
            var container = new V1Container
            {
                Name = "c",
                Image = "busybox",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } },
                Ports = hostPort is null ? null : [new V1ContainerPort { ContainerPort = 80, HostPort = hostPort }],
            };
            await client.CoreV1.CreateNamespacedPodAsync(
                new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = name },
                    Spec = new V1PodSpec { SchedulerName = SchedulerName, NodeSelector = new Dictionary<string, string> { [_prefix] = "true" }, Containers = [container] },
                },
                "default",
                cancellationToken: cancellationToken);
        }

        public async Task<PodScheduler> StartSchedulerAsync(CancellationToken cancellationToken)
        {
            var scheduler = new PodScheduler(new SchedulerOptions { SchedulerName = SchedulerName, LoggerFactory = NullLoggerFactory.Instance });
            await scheduler.StartAsync(client, cancellationToken);
            return scheduler;
        }

        public Task<Corev1Event> WaitForEventAsync(string podName, string reason, CancellationToken cancellationToken)
            => Eventually.UntilAsync(
                async ct => (await client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: ct)).Items
                    .FirstOrDefault(e => e.InvolvedObject.Name == podName && e.Reason == reason),
                $"a {reason} event for {podName}",
                cancellationToken);

        private static Dictionary<string, ResourceQuantity> Resources(string cpu)
            => new() { ["cpu"] = new(cpu), ["memory"] = new("8Gi"), ["pods"] = new("110") };
    }
}
