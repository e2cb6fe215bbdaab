using NodeAgent.Cri.V1;
using NodeAgent.Node.Gc;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Tests.Gc;

public sealed class ContainerGcPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 3, 0, 0, TimeSpan.Zero);

    private static long Nanos(int secondsAgo) => (Now - TimeSpan.FromSeconds(secondsAgo)).ToUnixTimeMilliseconds() * 1_000_000;

    private static PodSandbox Sandbox(string id, string uid, PodSandboxState state, int secondsAgo) => new()
    {
        Id = id,
        State = state,
        CreatedAt = Nanos(secondsAgo),
        Labels = { [PodLabels.PodUid] = uid, [PodLabels.PodName] = "pod-" + uid, [PodLabels.PodNamespace] = "ns" },
    };

    private static Container Container(string id, string uid, string sandbox, string name, ContainerState state, int secondsAgo, string? grace = null)
    {
        var container = new Container
        {
            Id = id,
            PodSandboxId = sandbox,
            State = state,
            CreatedAt = Nanos(secondsAgo),
            Labels = { [PodLabels.PodUid] = uid, [PodLabels.ContainerName] = name },
        };
        if (grace is not null)
        {
            container.Annotations[PodLabels.TerminationGracePeriod] = grace;
        }

        return container;
    }

    [Fact]
    public void Keeps_the_newest_dead_container_per_pod_container_and_the_running_one()
    {
        var plan = ContainerGcPolicy.Plan(
            [Sandbox("s1", "live", PodSandboxState.SandboxReady, 100)],
            [
                Container("run", "live", "s1", "app", ContainerState.ContainerRunning, 10),
                Container("dead-new", "live", "s1", "app", ContainerState.ContainerExited, 20),
                Container("dead-old", "live", "s1", "app", ContainerState.ContainerExited, 30),
                Container("dead-older", "live", "s1", "app", ContainerState.ContainerExited, 40),
                Container("other-dead", "live", "s1", "sidecar", ContainerState.ContainerExited, 50),
            ],
            uid => uid == "live",
            new ContainerGcOptions(),
            Now);

        Assert.Equal(["dead-old", "dead-older"], plan.Containers.Order(StringComparer.Ordinal));
        Assert.Empty(plan.OrphanPods);
        Assert.Empty(plan.Sandboxes);
    }

    [Fact]
    public void Dead_containers_younger_than_min_age_stay()
    {
        var plan = ContainerGcPolicy.Plan(
            [],
            [Container("a", "live", "s1", "app", ContainerState.ContainerExited, 5), Container("b", "live", "s1", "app", ContainerState.ContainerExited, 6), Container("c", "live", "s1", "app", ContainerState.ContainerExited, 600)],
            _ => true,
            new ContainerGcOptions { MinAge = TimeSpan.FromMinutes(1) },
            Now);

        Assert.Empty(plan.Containers);
    }

    [Fact]
    public void Pods_unknown_to_the_api_are_orphans_with_their_names_and_grace_and_foreign_objects_are_ignored()
    {
        var plan = ContainerGcPolicy.Plan(
            [Sandbox("s1", "gone", PodSandboxState.SandboxReady, 100), new PodSandbox { Id = "crictl", State = PodSandboxState.SandboxNotready }],
            [Container("c1", "gone", "s1", "app", ContainerState.ContainerRunning, 50, grace: "7"), new Container { Id = "foreign", State = ContainerState.ContainerExited }],
            _ => false,
            new ContainerGcOptions(),
            Now);

        Assert.Equal([new OrphanPod("gone", "ns", "pod-gone", 7)], plan.OrphanPods);
        Assert.Empty(plan.Containers);
        Assert.Empty(plan.Sandboxes);
    }

    [Fact]
    public void Old_not_ready_sandboxes_of_live_pods_go_once_empty_but_never_the_newest()
    {
        var plan = ContainerGcPolicy.Plan(
            [
                Sandbox("newest", "live", PodSandboxState.SandboxNotready, 10),
                Sandbox("old-empty", "live", PodSandboxState.SandboxNotready, 100),
                Sandbox("old-with-container", "live", PodSandboxState.SandboxNotready, 200),
                Sandbox("old-emptied", "live", PodSandboxState.SandboxNotready, 300),
            ],
            [
                Container("kept", "live", "old-with-container", "app", ContainerState.ContainerExited, 150),
                Container("collected", "live", "old-emptied", "app", ContainerState.ContainerExited, 250),
            ],
            _ => true,
            new ContainerGcOptions(),
            Now);

        Assert.Equal(["collected"], plan.Containers);
        Assert.Equal(["old-emptied", "old-empty"], plan.Sandboxes.Order(StringComparer.Ordinal));
    }
}
