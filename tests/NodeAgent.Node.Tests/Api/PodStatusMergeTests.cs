using k8s.Models;
using NodeAgent.Node.Api;

namespace NodeAgent.Node.Tests.Api;

public sealed class PodStatusMergeTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_schedulers_PodScheduled_and_foreign_conditions_are_kept()
    {
        var api = new V1PodStatus
        {
            Phase = "Pending",
            Conditions =
            [
                Condition("PodScheduled", "True", T0),
                Condition("example.com/gate", "True", T0),
            ],
        };
        var node = new V1PodStatus { Phase = "Running", Conditions = [Condition("PodScheduled", "True", T0.AddSeconds(5)), Condition("Ready", "True", T0.AddSeconds(5))] };

        var merged = PodStatusMerge.Merge(api, node);
        Assert.Equal(["PodScheduled", "example.com/gate", "Ready"], merged.Conditions.Select(c => c.Type));
        Assert.Equal(T0, merged.Conditions[0].LastTransitionTime);
        Assert.Equal("Running", merged.Phase);
    }

    [Fact]
    public void Nothing_is_written_when_only_sub_second_timestamps_differ()
    {
        var stored = PodStatusMerge.Merge(null, new V1PodStatus { Phase = "Running", StartTime = T0, Conditions = [Condition("Ready", "True", T0)] });
        var again = PodStatusMerge.Merge(stored, new V1PodStatus { Phase = "Running", StartTime = T0.AddMilliseconds(300), Conditions = [Condition("Ready", "True", T0.AddMilliseconds(250))] });
        Assert.False(PodStatusMerge.NeedsWrite(stored, again));
    }

    [Fact]
    public void A_changed_status_is_written()
    {
        var stored = PodStatusMerge.Merge(null, new V1PodStatus { Phase = "Pending" });
        Assert.True(PodStatusMerge.NeedsWrite(stored, PodStatusMerge.Merge(stored, new V1PodStatus { Phase = "Running" })));
        Assert.True(PodStatusMerge.NeedsWrite(null, stored));
    }

    [Fact]
    public void Deletion_turns_into_terminate_work_with_the_deletion_grace_period()
    {
        var pod = TestPods.Pod("p");
        Assert.False(NodePodSource.WorkFor(pod).Terminate);
        pod.Metadata.DeletionTimestamp = T0;
        pod.Metadata.DeletionGracePeriodSeconds = 7;
        var work = NodePodSource.WorkFor(pod);
        Assert.True(work.Terminate);
        Assert.Equal(7, work.GracePeriodSeconds);
    }

    private static V1PodCondition Condition(string type, string status, DateTime time) => new() { Type = type, Status = status, LastTransitionTime = time };
}
