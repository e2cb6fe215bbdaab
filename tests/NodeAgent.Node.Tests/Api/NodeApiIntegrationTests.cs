using NodeAgent.Testing.Containerd;
using k8s;
using k8s.Models;
using NodeAgent.Controllers.Tests.Integration;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Api;
using NodeAgent.Node.Pleg;
using NodeAgent.Node.Pods;
using NodeAgent.Node.Tests.Integration;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.NodeAgentCri;

namespace NodeAgent.Node.Tests.Api;

/// <summary>
/// The node role against a real <c>nodeagent server</c>, under a node name of its own (the server's own node, if it
/// runs one, never sees these pods).
/// </summary>
[Trait("Needs", "ApiServer")]
[Collection(BusyboxRegistry.Collection)]
public sealed class NodeApiIntegrationTests(BusyboxRegistry registry)
{
    [Fact]
    public async Task The_node_registers_with_capacity_and_conditions_and_renews_its_lease()
    {
        using var deadline = TestDeadline.Seconds(90);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        var nodeName = TestIds.NewPrefix() + "-node";
        using var dataDir = new TempDirectory(nodeName);
        var options = Options(nodeName, dataDir, "unix:///nonexistent.sock") with { LeaseRenewInterval = TimeSpan.FromMilliseconds(300) };
        var identity = new NodeIdentity { NodeName = nodeName, HostIP = "127.0.0.1", ContainerRuntimeVersion = "nodeagent://v0.0.0-test", PodCidr = "10.66.7.0/24" };
        await using var registration = new NodeRegistration(client, identity, () => MachineInfo.Read(dataDir.Path), options);
        await registration.RegisterAsync(deadline.Token);
        await using var lease = new NodeLease(client, nodeName, () => registration.NodeUid, options);
        await lease.StartAsync(deadline.Token);

        var node = await client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: deadline.Token);
        Assert.Equal("True", node.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.Equal(["DiskPressure", "MemoryPressure", "PIDPressure", "Ready"], node.Status.Conditions.Select(c => c.Type).Order());
        Assert.Equal(Environment.ProcessorCount, (int)node.Status.Capacity["cpu"].ToDecimal());
        Assert.True(node.Status.Allocatable["memory"].ToDecimal() < node.Status.Capacity["memory"].ToDecimal());
        Assert.Equal("nodeagent://v0.0.0-test", node.Status.NodeInfo.ContainerRuntimeVersion);
        Assert.Equal("10.66.7.0/24", node.Spec.PodCIDR);

        var first = await client.CoordinationV1.ReadNamespacedLeaseAsync(nodeName, NodeLease.Namespace, cancellationToken: deadline.Token);
        Assert.Equal(nodeName, first.Spec.HolderIdentity);
        Assert.Equal(node.Metadata.Uid, Assert.Single(first.Metadata.OwnerReferences).Uid);
        await Eventually.UntilAsync(
            async ct => (await client.CoordinationV1.ReadNamespacedLeaseAsync(nodeName, NodeLease.Namespace, cancellationToken: ct)).Spec.RenewTime > first.Spec.RenewTime,
            "the lease to be renewed",
            deadline.Token);
    }

    [Fact]
    public async Task A_pod_bound_to_the_node_runs_reports_status_and_events_and_a_deletion_completes()
    {
        using var deadline = TestDeadline.Seconds(180);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        await using var runtime = await RuntimeUnderTest.StartAsync(registry, deadline.Token);
        var (prefix, cri, nodeName) = (runtime.Prefix, runtime.Cri, runtime.NodeName);
        await using var role = new NodeRole(runtime.RoleOptions);
        await role.StartAsync(client, deadline.Token);

        var container = TestPods.Container("web", registry.Image, "/bin/sleep", "300");
        container.ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["/bin/true"] }, PeriodSeconds = 1 };
        await client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod { Metadata = new V1ObjectMeta { Name = prefix }, Spec = new V1PodSpec { NodeName = nodeName, TerminationGracePeriodSeconds = 2, Containers = [container] } },
            "default",
            cancellationToken: deadline.Token);

        var running = await Eventually.UntilAsync(
            async ct => await client.CoreV1.ReadNamespacedPodAsync(prefix, "default", cancellationToken: ct) is { Status.Phase: "Running" } p
                        && p.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True") ? p : null,
            "the pod to be Running and Ready",
            deadline.Token);
        Assert.Equal("127.0.0.1", running.Status.HostIP);
        Assert.StartsWith("nodeagent://", Assert.Single(running.Status.ContainerStatuses).ContainerID, StringComparison.Ordinal);
        var reasons = await Eventually.UntilAsync(
            async ct =>
            {
                var events = (await client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: ct)).Items.Where(e => e.InvolvedObject.Name == prefix).ToList();
                return events.Any(e => e.Reason == "Started") ? events : null;
            },
            "a Started event",
            deadline.Token);
        Assert.All(reasons, e => Assert.Equal(("kubelet", nodeName), (e.Source.Component, e.Source.Host)));

        await client.CoreV1.DeleteNamespacedPodAsync(prefix, "default", cancellationToken: deadline.Token);

        // The node terminates it and completes the graceful deletion itself (delete with gracePeriodSeconds=0).
        await Eventually.UntilAsync(
            async ct => (await client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "metadata.name=" + prefix, cancellationToken: ct)).Items.Count == 0,
            "the pod to be gone from the API",
            deadline.Token);
        var sandboxes = await cri.Client.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = running.Metadata.Uid } } }, cancellationToken: deadline.Token);
        Assert.Empty(sandboxes.Items);
    }

    [Fact]
    public async Task The_node_turns_NotReady_with_kubelets_PLEG_then_runtime_down_message_when_its_runtime_stops_answering()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        await using var runtime = await RuntimeUnderTest.StartAsync(registry, deadline.Token);
        var options = runtime.RoleOptions with
        {
            Pleg = new PlegOptions { RelistThreshold = TimeSpan.FromSeconds(2) },
            StatusUpdateFrequency = TimeSpan.FromMilliseconds(300),
            RuntimeStatusInterval = TimeSpan.FromMilliseconds(300),
            RuntimeDownThreshold = TimeSpan.FromSeconds(6),
        };
        await using var role = new NodeRole(options);
        await role.StartAsync(client, deadline.Token);
        await Eventually.UntilAsync(async ct => ReadyCondition(await client.CoreV1.ReadNodeAsync(runtime.NodeName, cancellationToken: ct)) is { Status: "True" } c ? c : null, "the node to be Ready", deadline.Token);

        // Stopped only after a first relist, so the message is the "last seen active" one.
        await Eventually.UntilAsync(_ => Task.FromResult(role.Pleg!.Healthy), "the first relist", deadline.Token);
        await runtime.Cri.StopAsync();

        var notReady = await Eventually.UntilAsync(
            async ct => ReadyCondition(await client.CoreV1.ReadNodeAsync(runtime.NodeName, cancellationToken: ct)) is { Status: "False" } c ? c : null,
            "the node to turn NotReady",
            deadline.Token);
        Assert.Equal("KubeletNotReady", notReady.Reason);
        Assert.StartsWith("PLEG is not healthy: pleg was last seen active ", notReady.Message, StringComparison.Ordinal);
        Assert.EndsWith("; threshold is 2s", notReady.Message, StringComparison.Ordinal);

        // Past the runtime-down threshold the Status RPC's silence joins in, first, as kubelet aggregates its errors.
        var down = await Eventually.UntilAsync(
            async ct => ReadyCondition(await client.CoreV1.ReadNodeAsync(runtime.NodeName, cancellationToken: ct)) is { Status: "False" } c && c.Message.StartsWith('[') ? c : null,
            "the runtime to count as down",
            deadline.Token);
        Assert.StartsWith("[container runtime is down, PLEG is not healthy: pleg was last seen active ", down.Message, StringComparison.Ordinal);
        Assert.EndsWith("; threshold is 2s]", down.Message, StringComparison.Ordinal);
    }

    private static V1NodeCondition? ReadyCondition(V1Node node) => node.Status?.Conditions?.SingleOrDefault(c => c.Type == "Ready");

    [Fact]
    public async Task A_pod_force_deleted_while_the_node_was_down_is_removed_from_the_runtime_at_the_next_start()
    {
        using var deadline = TestDeadline.Seconds(180);
        await using var server = await NodeAgentServer.StartAsync(deadline.Token);
        var client = server.CreateClient();
        await using var runtime = await RuntimeUnderTest.StartAsync(registry, deadline.Token);
        var name = runtime.Prefix + "-orphan";
        V1Pod running;
        await using (var first = new NodeRole(runtime.RoleOptions))
        {
            await first.StartAsync(client, deadline.Token);
            await client.CoreV1.CreateNamespacedPodAsync(
                new V1Pod { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1PodSpec { NodeName = runtime.NodeName, TerminationGracePeriodSeconds = 2, Containers = [TestPods.Container("app", registry.Image, "/bin/sleep", "300")] } },
                "default",
                cancellationToken: deadline.Token);
            running = await Eventually.UntilAsync(
                async ct => await client.CoreV1.ReadNamespacedPodAsync(name, "default", cancellationToken: ct) is { Status.Phase: "Running" } p ? p : null,
                "the pod to be Running",
                deadline.Token);
        }

        // The node is down (its containers keep running); the pod is force-deleted meanwhile.
        await client.CoreV1.DeleteNamespacedPodAsync(name, "default", gracePeriodSeconds: 0, cancellationToken: deadline.Token);
        var uidFilter = new PodSandboxFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = running.Metadata.Uid } };
        Assert.NotEmpty((await runtime.Cri.Client.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = uidFilter }, cancellationToken: deadline.Token)).Items);

        await using var second = new NodeRole(runtime.RoleOptions);
        await second.StartAsync(client, deadline.Token);

        // The pod directory (with the service-account token volume) is removed right after the sandbox: part of the wait.
        await Eventually.UntilAsync(
            async ct => (await runtime.Cri.Client.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = uidFilter }, cancellationToken: ct)).Items.Count == 0
                        && (await runtime.Cri.Client.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: ct)).Containers.Count == 0
                        && !Directory.Exists(Path.Combine(runtime.RoleOptions.Node.PodsRoot, running.Metadata.Uid)) ? "gone" : null,
            "the orphaned pod's sandbox, containers and pod directory to be removed",
            deadline.Token);
    }

    private static NodeRoleOptions Options(string nodeName, TempDirectory directory, string criEndpoint) => new()
    {
        Node = new NodeOptions { NodeName = nodeName, HostIP = "127.0.0.1", PodsRoot = directory.Combine("pods"), PodLogsRoot = directory.Combine("logs") },
        CriEndpoint = criEndpoint,
        DataDir = directory.Path,
        Workers = new PodWorkersOptions { ResyncPeriod = TimeSpan.FromSeconds(1) },
        ContainerBackoff = new RestartBackoff(TimeProvider.System) { Initial = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(4) },
    };

    /// <summary>
    /// A real <c>nodeagent cri</c> with the test's prefix, and the node role options for it. Disposing stops the runtime,
    /// then removes its bridge (with the node-level masquerade) and the pod cgroup root the node role used.
    /// </summary>
    private sealed class RuntimeUnderTest : IAsyncDisposable
    {
        private readonly TempDirectory _directory;

        private RuntimeUnderTest(string prefix, TempDirectory directory, NodeAgentCriProcess cri)
        {
            Prefix = prefix;
            _directory = directory;
            Cri = cri;
            NodeName = prefix + "-node";
            RoleOptions = Options(NodeName, directory, cri.Settings.Endpoint) with
            {
                Node = new NodeOptions { NodeName = NodeName, HostIP = "127.0.0.1", PodsRoot = directory.Combine("pods"), PodLogsRoot = directory.Combine("logs"), CgroupRoot = prefix },
            };
        }

        public string Prefix { get; }

        public NodeAgentCriProcess Cri { get; }

        public string NodeName { get; }

        public NodeRoleOptions RoleOptions { get; }

        public static async Task<RuntimeUnderTest> StartAsync(BusyboxRegistry registry, CancellationToken cancellationToken)
        {
            var prefix = TestIds.NewPrefix();
            var directory = new TempDirectory(prefix);
            var cri = await NodeAgentCriProcess.StartAsync(
                new NodeAgentCriSettings { Prefix = prefix, BaseDirectory = directory.Path, InsecureRegistries = [registry.Registry.Host] },
                cancellationToken);
            return new RuntimeUnderTest(prefix, directory, cri);
        }

        public async ValueTask DisposeAsync()
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await Cri.DisposeAsync();
            await HostCleanup.DeleteBridgeAsync(Cri.Settings.BridgeName, cleanup.Token);
            HostCleanup.RemoveCgroups(Prefix);
            _directory.Dispose();
        }
    }
}
