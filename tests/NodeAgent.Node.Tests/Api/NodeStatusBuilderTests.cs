using k8s.Models;
using NodeAgent.Node.Api;

namespace NodeAgent.Node.Tests.Api;

public sealed class NodeStatusBuilderTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly NodeIdentity Identity = new() { NodeName = "node-1", HostIP = "127.0.0.1", ContainerRuntimeVersion = "nodeagent://v0.1.0", PodCidr = "10.66.0.0/24" };

    private static readonly MachineSnapshot Machine = new()
    {
        Cpus = 2,
        MemoryBytes = 4L << 30,
        MemoryAvailableBytes = 2L << 30,
        DiskBytes = 100L << 30,
        DiskAvailableBytes = 50L << 30,
        PidMax = 32768,
        Processes = 200,
        KernelVersion = "6.18.0",
        OsImage = "Debian GNU/Linux 12 (bookworm)",
        MachineId = "abc",
        BootId = "boot",
    };

    [Fact]
    public void Capacity_is_the_machine_and_allocatable_subtracts_the_eviction_thresholds()
    {
        var status = NodeStatusBuilder.Build(Identity, Machine, null, T0);
        Assert.Equal("2", status.Capacity["cpu"].ToString());
        Assert.Equal(4L << 30, (long)status.Capacity["memory"].ToDecimal());
        Assert.Equal("110", status.Capacity["pods"].ToString());
        Assert.Equal((4L << 30) - (100L << 20), (long)status.Allocatable["memory"].ToDecimal());
        Assert.Equal((long)((100L << 30) * 0.9), (long)status.Allocatable["ephemeral-storage"].ToDecimal());
        Assert.Equal("nodeagent://v0.1.0", status.NodeInfo.ContainerRuntimeVersion);
        Assert.Equal(("6.18.0", "linux", "amd64"), (status.NodeInfo.KernelVersion, status.NodeInfo.OperatingSystem, status.NodeInfo.Architecture));
        Assert.Equal(["InternalIP=127.0.0.1", "Hostname=node-1"], status.Addresses.Select(a => $"{a.Type}={a.Address}"));
    }

    [Fact]
    public void Conditions_carry_kubelet_reasons()
    {
        var status = NodeStatusBuilder.Build(Identity, Machine, null, T0);
        Assert.Equal(
            ["MemoryPressure False KubeletHasSufficientMemory", "DiskPressure False KubeletHasNoDiskPressure", "PIDPressure False KubeletHasSufficientPID", "Ready True KubeletReady"],
            status.Conditions.Select(c => $"{c.Type} {c.Status} {c.Reason}"));
        Assert.All(status.Conditions, c => Assert.Equal((T0, T0), (c.LastHeartbeatTime!.Value, c.LastTransitionTime!.Value)));
    }

    [Fact]
    public void Pressure_is_reported_as_the_eviction_manager_decides()
    {
        var status = NodeStatusBuilder.Build(Identity, Machine, null, T0, pressure: new HashSet<string> { "MemoryPressure", "DiskPressure", "PIDPressure" });
        Assert.Equal(["True", "True", "True", "True"], status.Conditions.Select(c => c.Status));
        Assert.Equal(
            ["KubeletHasInsufficientMemory kubelet has insufficient memory available", "KubeletHasDiskPressure kubelet has disk pressure", "KubeletHasInsufficientPID kubelet has insufficient PID available"],
            status.Conditions.Take(3).Select(c => $"{c.Reason} {c.Message}"));
    }

    [Fact]
    public void Allocatable_follows_the_configured_hard_thresholds()
    {
        var hard = NodeAgent.Node.Eviction.EvictionThreshold.ParseList("memory.available<1Gi,nodefs.available<1Gi");
        var status = NodeStatusBuilder.Build(Identity, Machine, null, T0, hardEviction: hard);
        Assert.Equal((4L << 30) - (1L << 30), (long)status.Allocatable["memory"].ToDecimal());
        Assert.Equal((100L << 30) - (1L << 30), (long)status.Allocatable["ephemeral-storage"].ToDecimal());
    }

    [Fact]
    public void Transition_time_moves_only_when_the_status_does()
    {
        var first = NodeStatusBuilder.Build(Identity, Machine, null, T0);
        var same = NodeStatusBuilder.Build(Identity, Machine, first.Conditions, T0.AddMinutes(1));
        Assert.All(same.Conditions, c => Assert.Equal((T0.AddMinutes(1), T0), (c.LastHeartbeatTime!.Value, c.LastTransitionTime!.Value)));

        var pressured = NodeStatusBuilder.Build(Identity, Machine, same.Conditions, T0.AddMinutes(2), pressure: new HashSet<string> { "MemoryPressure" });
        Assert.Equal(T0.AddMinutes(2), pressured.Conditions[0].LastTransitionTime);
        Assert.Equal(T0, pressured.Conditions[3].LastTransitionTime);
    }

    [Fact]
    public void Status_is_reported_on_change_or_after_the_report_frequency()
    {
        var reported = NodeStatusBuilder.Build(Identity, Machine, null, T0);
        var frequency = TimeSpan.FromMinutes(1);
        var later = NodeStatusBuilder.Build(Identity, Machine, reported.Conditions, T0.AddSeconds(10));
        Assert.False(NodeStatusBuilder.NeedsReport(reported, later, T0.AddSeconds(10), frequency));
        Assert.True(NodeStatusBuilder.NeedsReport(reported, later, T0.AddSeconds(61), frequency));

        var pressured = NodeStatusBuilder.Build(Identity, Machine, reported.Conditions, T0.AddSeconds(10), pressure: new HashSet<string> { "DiskPressure" });
        Assert.True(NodeStatusBuilder.NeedsReport(reported, pressured, T0.AddSeconds(10), frequency));

        var grown = NodeStatusBuilder.Build(Identity, Machine with { Cpus = 4 }, reported.Conditions, T0.AddSeconds(10));
        Assert.True(NodeStatusBuilder.NeedsReport(reported, grown, T0.AddSeconds(10), frequency));
        Assert.True(NodeStatusBuilder.NeedsReport(null, later, T0, frequency));
    }

    [Fact]
    public void The_node_object_has_the_well_known_labels_and_pod_cidr()
    {
        var node = NodeStatusBuilder.NewNode(Identity, Machine, new Dictionary<string, string> { ["node-role.kubernetes.io/control-plane"] = "true" });
        Assert.Equal("node-1", node.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", node.Metadata.Labels["kubernetes.io/os"]);
        Assert.Equal("amd64", node.Metadata.Labels["kubernetes.io/arch"]);
        Assert.Equal("true", node.Metadata.Labels["node-role.kubernetes.io/control-plane"]);
        Assert.Equal("10.66.0.0/24", node.Spec.PodCIDR);
        Assert.Equal(["10.66.0.0/24"], node.Spec.PodCIDRs);
    }

    [Fact]
    public void The_lease_is_held_by_the_node_and_owned_by_it()
    {
        var lease = NodeLease.Build("node-1", "uid-1", 40, T0);
        Assert.Equal(("node-1", "kube-node-lease"), (lease.Metadata.Name, lease.Metadata.NamespaceProperty));
        Assert.Equal(("node-1", 40, T0), (lease.Spec.HolderIdentity, lease.Spec.LeaseDurationSeconds!.Value, lease.Spec.RenewTime!.Value));
        var owner = Assert.Single(lease.Metadata.OwnerReferences);
        Assert.Equal(("v1", "Node", "node-1", "uid-1"), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid));
    }

    [Fact]
    public void A_not_ready_reason_makes_Ready_false_with_kubelets_reason_and_a_new_transition_time()
    {
        var ready = NodeStatusBuilder.Build(Identity, Machine, null, T0);
        var later = T0.AddMinutes(5);

        var notReady = NodeStatusBuilder.Build(Identity, Machine, ready.Conditions, later, "PLEG is not healthy: pleg was last seen active 3m1s ago; threshold is 3m0s");

        var condition = notReady.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("False", condition.Status);
        Assert.Equal("KubeletNotReady", condition.Reason);
        Assert.Equal("PLEG is not healthy: pleg was last seen active 3m1s ago; threshold is 3m0s", condition.Message);
        Assert.Equal(later, condition.LastTransitionTime);
        Assert.True(NodeStatusBuilder.NeedsReport(ready, notReady, later, TimeSpan.FromMinutes(1)));
    }
}
