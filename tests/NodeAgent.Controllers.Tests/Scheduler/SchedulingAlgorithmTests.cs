using NodeAgent.Controllers.Scheduler;
using static NodeAgent.Controllers.Tests.Scheduler.SchedulerObjects;

namespace NodeAgent.Controllers.Tests.Scheduler;

public sealed class SchedulingAlgorithmTests
{
    [Fact]
    public void One_node_without_room_says_so_in_upstream_words()
    {
        var decision = SchedulingAlgorithm.Schedule(Pod("p", "3"), [new NodeInfo(SchedulerObjects.Node("n1"), [])]);
        Assert.False(decision.Fits);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu.", decision.FailureMessage);
    }

    [Fact]
    public void Reasons_are_counted_across_nodes_and_sorted()
    {
        var tainted = SchedulerObjects.Node("n3");
        tainted.Spec.Taints = [new k8s.Models.V1Taint { Key = "a", Value = "b", Effect = "NoSchedule" }];
        var decision = SchedulingAlgorithm.Schedule(Pod("p", "3", "5Gi"), [new NodeInfo(SchedulerObjects.Node("n1"), []), new NodeInfo(SchedulerObjects.Node("n2"), []), new NodeInfo(tainted, [])]);
        Assert.Equal("0/3 nodes are available: 1 node(s) had untolerated taint {a: b}, 2 Insufficient cpu, 2 Insufficient memory.", decision.FailureMessage);
    }

    [Fact]
    public void No_nodes_at_all()
        => Assert.Equal(SchedulingAlgorithm.NoNodesMessage, SchedulingAlgorithm.Schedule(Pod("p"), []).FailureMessage);

    [Fact]
    public void The_least_allocated_fitting_node_wins()
    {
        var busy = new NodeInfo(SchedulerObjects.Node("a"), [Pod("o", "1500m", "3Gi", nodeName: "a")]);
        var idle = new NodeInfo(SchedulerObjects.Node("b"), []);
        var full = new NodeInfo(SchedulerObjects.Node("c", cpu: "100m"), []);
        Assert.Equal("b", SchedulingAlgorithm.Schedule(Pod("p", "200m", "128Mi"), [busy, idle, full]).NodeName);
    }

    [Fact]
    public void Unschedulable_condition_is_written_only_when_it_changes_and_keeps_its_transition_time()
    {
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var first = UnschedulableCondition.Apply(null, "0/1 nodes are available: 1 Insufficient cpu.", t0)!;
        var condition = Assert.Single(first.Conditions);
        Assert.Equal(("PodScheduled", "False", "Unschedulable", t0), (condition.Type, condition.Status, condition.Reason, condition.LastTransitionTime!.Value));
        Assert.Equal("Pending", first.Phase);

        Assert.Null(UnschedulableCondition.Apply(first, "0/1 nodes are available: 1 Insufficient cpu.", t0.AddMinutes(1)));

        var changed = UnschedulableCondition.Apply(first, "0/2 nodes are available: 2 Insufficient cpu.", t0.AddMinutes(2))!;
        Assert.Equal(t0, Assert.Single(changed.Conditions).LastTransitionTime);
    }
}
