using NodeAgent.Cri.V1;
using NodeAgent.Node.Pleg;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Tests.Pleg;

public sealed class RelistSnapshotTests
{
    private static PodSandbox Sandbox(string id, string uid, PodSandboxState state)
        => new() { Id = id, State = state, Labels = { [PodLabels.PodUid] = uid } };

    private static Container Container(string id, string uid, ContainerState state)
        => new() { Id = id, State = state, Labels = { [PodLabels.PodUid] = uid } };

    [Fact]
    public void Only_pods_whose_objects_appeared_vanished_or_changed_state_are_reported()
    {
        var before = RelistSnapshot.From(
            [Sandbox("s1", "steady", PodSandboxState.SandboxReady), Sandbox("s2", "exits", PodSandboxState.SandboxReady), Sandbox("s3", "gone", PodSandboxState.SandboxReady), Sandbox("s4", "grows", PodSandboxState.SandboxReady)],
            [Container("c1", "steady", ContainerState.ContainerRunning), Container("c2", "exits", ContainerState.ContainerRunning), Container("c3", "gone", ContainerState.ContainerExited)]);
        var after = RelistSnapshot.From(
            [Sandbox("s1", "steady", PodSandboxState.SandboxReady), Sandbox("s2", "exits", PodSandboxState.SandboxReady), Sandbox("s4", "grows", PodSandboxState.SandboxReady), Sandbox("s5", "new", PodSandboxState.SandboxReady)],
            [Container("c1", "steady", ContainerState.ContainerRunning), Container("c2", "exits", ContainerState.ContainerExited), Container("c4", "grows", ContainerState.ContainerCreated)]);

        Assert.Equal(["exits", "gone", "grows", "new"], after.ChangedSince(before).Order(StringComparer.Ordinal));
        Assert.Empty(after.ChangedSince(after));
    }

    [Fact]
    public void The_first_relist_reports_every_pod_and_objects_without_a_pod_uid_are_ignored()
    {
        var first = RelistSnapshot.From(
            [Sandbox("s1", "a", PodSandboxState.SandboxNotready), new PodSandbox { Id = "foreign", State = PodSandboxState.SandboxReady }],
            [new Container { Id = "crictl-made", State = ContainerState.ContainerRunning }]);

        Assert.Equal(["a"], first.ChangedSince(RelistSnapshot.Empty));
        Assert.Equal(["a"], first.PodUids);
    }
}
