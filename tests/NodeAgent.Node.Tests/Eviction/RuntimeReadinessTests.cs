using NodeAgent.Cri.V1;
using NodeAgent.Node.Api;

namespace NodeAgent.Node.Tests.Eviction;

/// <summary>Node Ready from the CRI runtime's Status, combined with PLEG health as kubelet combines them.</summary>
public sealed class RuntimeReadinessTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_ready_runtime_and_network_give_no_error()
    {
        var (runtime, network) = RuntimeReadiness.Errors(Status(true, true));
        Assert.Null(runtime);
        Assert.Null(network);
        Assert.Null(RuntimeReadiness.Message(RuntimeReadiness.Combine(T0, T0, TimeSpan.FromSeconds(30), [null], runtime, network)));
    }

    [Fact]
    public void Network_not_ready_reads_as_kubelet_prints_the_condition()
    {
        var (runtime, network) = RuntimeReadiness.Errors(Status(true, false, "NetworkPluginNotReady", "Network plugin returns error: cni plugin not initialized"));
        Assert.Null(runtime);
        Assert.Equal("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized", network);
    }

    [Fact]
    public void Runtime_not_ready_and_missing_conditions()
    {
        Assert.Equal("container runtime not ready: RuntimeReady=false reason:Broken message:no runc", RuntimeReadiness.Errors(Status(false, true, "Broken", "no runc")).Runtime);
        var (runtime, network) = RuntimeReadiness.Errors(new RuntimeStatus());
        Assert.Equal("container runtime not ready: <nil>", runtime);
        Assert.Equal("container runtime network not ready: <nil>", network);
    }

    [Fact]
    public void A_silent_runtime_is_down_after_the_threshold_and_errors_aggregate_in_kubelets_order()
    {
        var threshold = TimeSpan.FromSeconds(30);
        Assert.Equal(["container runtime status check may not have completed yet"], RuntimeReadiness.Combine(null, T0, threshold, [], null, null));
        Assert.Empty(RuntimeReadiness.Combine(T0, T0.AddSeconds(29), threshold, [], null, null));
        var errors = RuntimeReadiness.Combine(T0, T0.AddSeconds(30), threshold, ["PLEG is not healthy: pleg has yet to be successful"], null, "container runtime network not ready: NetworkReady=false reason:X message:Y");
        Assert.Equal(
            "[container runtime is down, PLEG is not healthy: pleg has yet to be successful, container runtime network not ready: NetworkReady=false reason:X message:Y]",
            RuntimeReadiness.Message(errors));
    }

    [Fact]
    public void Pressure_taints_follow_the_conditions_and_leave_other_taints_alone()
    {
        var own = new k8s.Models.V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" };
        var tainted = PressureTaints.Apply([own], new HashSet<string> { "MemoryPressure", "DiskPressure" });
        Assert.NotNull(tainted);
        Assert.Equal(["dedicated:NoSchedule", "node.kubernetes.io/disk-pressure:NoSchedule", "node.kubernetes.io/memory-pressure:NoSchedule"], tainted.Select(t => t.Key + ":" + t.Effect));
        Assert.Null(PressureTaints.Apply(tainted, new HashSet<string> { "DiskPressure", "MemoryPressure" }));
        Assert.Equal(["dedicated:NoSchedule"], PressureTaints.Apply(tainted, new HashSet<string>())!.Select(t => t.Key + ":" + t.Effect));
    }

    private static RuntimeStatus Status(bool runtimeReady, bool networkReady, string reason = "", string message = "") => new()
    {
        Conditions =
        {
            new RuntimeCondition { Type = "RuntimeReady", Status = runtimeReady, Reason = runtimeReady ? "" : reason, Message = runtimeReady ? "" : message },
            new RuntimeCondition { Type = "NetworkReady", Status = networkReady, Reason = networkReady ? "" : reason, Message = networkReady ? "" : message },
        },
    };
}
