using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Gc;
using NodeAgent.Node.Pods;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Integration;

/// <summary>Container GC and orphan cleanup against a real <c>nodeagent cri</c>.</summary>
[Collection(BusyboxRegistry.Collection)]
public sealed class ContainerGcIntegrationTests(BusyboxRegistry registry)
{
    [Fact]
    public async Task Orphaned_pods_are_torn_down_and_live_pods_keep_one_dead_container_each()
    {
        using var deadline = TestDeadline.Seconds(180);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var orphan = node.Pod("orphan", node.Container("app", "/bin/sleep", "300"));
        var crashing = node.Pod("crashing", node.Container("app", "/bin/sh", "-c", "exit 1"));
        await node.SyncUntilAsync(orphan, s => s.Phase == "Running" && s.ContainerStatuses.Single().State.Running is not null, "the orphan-to-be running", deadline.Token);
        // Three attempts: the syncer itself keeps the two newest, so exactly one is the collector's to take.
        await node.SyncUntilAsync(crashing, s => s.ContainerStatuses.Single().RestartCount >= 2 && s.ContainerStatuses.Single().State.Terminated is not null, "two restarts", deadline.Token);
        var orphanSandboxes = await node.SandboxIdsAsync(orphan, deadline.Token);
        Assert.True(Directory.Exists(Path.Combine(node.Options.PodsRoot, orphan.Metadata.Uid)));

        var terminated = new List<OrphanPod>();
        await using var gc = new ContainerGarbageCollector(
            node.Cri,
            uid => uid != orphan.Metadata.Uid,
            async (o, ct) =>
            {
                terminated.Add(o);
                await node.Syncer.TerminateAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = o.Name, NamespaceProperty = o.Namespace, Uid = o.Uid }, Spec = new V1PodSpec { Containers = [] } }, o.GracePeriodSeconds, ct);
            },
            new ContainerGcOptions(),
            TimeProvider.System,
            NullLogger<ContainerGarbageCollector>.Instance);
        var plan = await gc.CollectAsync(deadline.Token);

        Assert.Equal([new OrphanPod(orphan.Metadata.Uid, "default", orphan.Metadata.Name, 2)], terminated);
        Assert.Empty(await node.SandboxIdsAsync(orphan, deadline.Token));
        Assert.False(Directory.Exists(Path.Combine(node.Options.PodsRoot, orphan.Metadata.Uid)));
        Assert.Single(plan.Containers);
        var left = (await node.Cri.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { LabelSelector = { [PodLabels.PodUid] = crashing.Metadata.Uid } } }, cancellationToken: deadline.Token)).Containers;
        Assert.Single(left);
        Assert.Equal(ContainerState.ContainerExited, left.Single().State);
        var sandboxesLeft = (await node.Cri.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: deadline.Token)).Items.Select(s => s.Id);
        Assert.Empty(orphanSandboxes.Intersect(sandboxesLeft));

        var again = await gc.CollectAsync(deadline.Token);
        Assert.True(again.IsEmpty);
    }
}
