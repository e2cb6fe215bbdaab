using k8s.Models;
using NodeAgent.Controllers.Machinery;
using static NodeAgent.Controllers.Tests.Scheduler.SchedulerObjects;

namespace NodeAgent.Controllers.Tests.Machinery;

public sealed class ObjectChangesTests
{
    [Fact]
    public void A_status_only_pod_update_is_no_change()
    {
        var old = Pod("p", "1");
        var updated = ObjectCopy.Clone(old);
        updated.Status = new V1PodStatus { Phase = "Pending", Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False" }] };
        updated.Metadata.ResourceVersion = "99";
        Assert.False(ObjectChanges.PodChanged(old, updated));
    }

    [Fact]
    public void Binding_labels_and_deletion_are_changes()
    {
        var old = Pod("p", "1");
        var bound = ObjectCopy.Clone(old);
        bound.Spec.NodeName = "n";
        var labelled = ObjectCopy.Clone(old);
        labelled.Metadata.Labels = new Dictionary<string, string> { ["a"] = "b" };
        var deleting = ObjectCopy.Clone(old);
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;
        Assert.All([bound, labelled, deleting], p => Assert.True(ObjectChanges.PodChanged(old, p)));
    }

    [Fact]
    public void A_node_heartbeat_is_no_scheduling_change_but_room_taints_and_readiness_are()
    {
        var old = Scheduler.SchedulerObjects.Node("n");
        var heartbeat = ObjectCopy.Clone(old);
        heartbeat.Status.Conditions[0].LastHeartbeatTime = DateTime.UtcNow;
        Assert.False(ObjectChanges.NodeSchedulingChanged(old, heartbeat));

        var grown = ObjectCopy.Clone(old);
        grown.Status.Allocatable["cpu"] = new ResourceQuantity("8");
        var tainted = ObjectCopy.Clone(old);
        tainted.Spec.Taints = [new V1Taint { Key = "k", Effect = "NoSchedule" }];
        var notReady = Scheduler.SchedulerObjects.Node("n", ready: false);
        var cordoned = ObjectCopy.Clone(old);
        cordoned.Spec.Unschedulable = true;
        Assert.All([grown, tainted, notReady, cordoned], n => Assert.True(ObjectChanges.NodeSchedulingChanged(old, n)));
    }
}
