using k8s.Models;
using NodeAgent.Node.Eviction;

namespace NodeAgent.Node.Tests.Eviction;

public sealed class EvictionPolicyTests
{
    private static readonly IReadOnlyList<EvictionThreshold> Defaults = EvictionThreshold.ParseList(EvictionThreshold.DefaultHard);

    [Fact]
    public void Thresholds_are_met_below_the_amount_memory_first()
    {
        var observations = new Dictionary<string, SignalObservation>
        {
            [EvictionSignal.NodeFsAvailable] = new(5L << 30, 100L << 30),   // 5 % free: below 10 %
            [EvictionSignal.MemoryAvailable] = new(50L << 20, 4L << 30),    // 50Mi: below 100Mi
            [EvictionSignal.ImageFsAvailable] = new(50L << 30, 100L << 30), // 50 % free: fine
        };
        var met = EvictionPolicy.ThresholdsMet(Defaults, observations);
        Assert.Equal([EvictionSignal.MemoryAvailable, EvictionSignal.NodeFsAvailable], met.Select(m => m.Threshold.Signal));
    }

    [Fact]
    public void A_signal_not_observed_never_meets_its_threshold()
        => Assert.Empty(EvictionPolicy.ThresholdsMet(Defaults, new Dictionary<string, SignalObservation>()));

    [Fact]
    public void Conditions_stay_for_the_transition_period_after_the_last_observation()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var lastObserved = new Dictionary<string, DateTimeOffset>();
        var period = TimeSpan.FromMinutes(5);
        var memory = EvictionThreshold.ParseList("memory.available<1Gi");
        Assert.Equal(["MemoryPressure"], EvictionPolicy.Conditions(memory, lastObserved, t0, period));
        Assert.Equal(["MemoryPressure"], EvictionPolicy.Conditions([], lastObserved, t0.AddMinutes(4), period));
        Assert.Empty(EvictionPolicy.Conditions([], lastObserved, t0.AddMinutes(5), period));
        Assert.Equal(["DiskPressure"], EvictionPolicy.Conditions(EvictionThreshold.ParseList("imagefs.inodesFree<5%"), lastObserved, t0.AddMinutes(6), period));
    }

    [Fact]
    public void Memory_ranking_puts_pods_over_their_requests_first_then_low_priority_then_the_larger_excess()
    {
        var guaranteed = Pod("within-request", priority: 0, memoryRequest: "1Gi");
        var high = Pod("high-priority-over", priority: 1000);
        var low = Pod("low-priority-small", priority: 0);
        var lowBig = Pod("low-priority-big", priority: 0);
        var usage = new Dictionary<V1Pod, long> { [guaranteed] = 500L << 20, [high] = 900L << 20, [low] = 10L << 20, [lowBig] = 300L << 20 };
        var ranked = EvictionPolicy.Rank(EvictionSignal.MemoryAvailable, [guaranteed, high, low, lowBig], p => Memory(usage[p]));
        Assert.Equal(["low-priority-big", "low-priority-small", "high-priority-over", "within-request"], ranked.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void Disk_ranking_counts_layers_logs_and_emptydirs()
    {
        var layers = Pod("layers");
        var volume = Pod("volume");
        var usage = new Dictionary<V1Pod, PodUsage>
        {
            [layers] = new([new ContainerUsage("main", 0, 10L << 20, 1L << 20)], new Dictionary<string, long>()),
            [volume] = new([new ContainerUsage("main", 0, 1L << 20, 0)], new Dictionary<string, long> { ["scratch"] = 50L << 20 }),
        };
        Assert.Equal(["volume", "layers"], EvictionPolicy.Rank(EvictionSignal.NodeFsAvailable, [layers, volume], p => usage[p]).Select(p => p.Metadata.Name));
        // On imagefs only the writable layers count.
        Assert.Equal(["layers", "volume"], EvictionPolicy.Rank(EvictionSignal.ImageFsAvailable, [layers, volume], p => usage[p]).Select(p => p.Metadata.Name));
    }

    [Fact]
    public void The_eviction_message_is_kubelets()
    {
        var threshold = EvictionThreshold.ParseList("memory.available<1Ei")[0];
        var pod = Pod("p", memoryRequest: "1Mi");
        var message = EvictionPolicy.Message(threshold, new SignalObservation(3L << 30, 4L << 30), pod, Memory(5L << 20));
        Assert.Equal("The node was low on resource: memory. Threshold quantity: 1Ei, available: 3Gi. Container main was using 5Mi, request is 1Mi, has larger consumption of memory. ", message);

        var disk = EvictionThreshold.ParseList("nodefs.available<10%")[0];
        var diskMessage = EvictionPolicy.Message(disk, new SignalObservation(1000, 1L << 30), Pod("q"), new PodUsage([new ContainerUsage("main", 0, 4096, 1024)], new Dictionary<string, long>()));
        Assert.Equal("The node was low on resource: ephemeral-storage. Threshold quantity: 107374182, available: 1000. Container main was using 5Ki, request is 0, has larger consumption of ephemeral-storage. ", diskMessage);
    }

    [Fact]
    public void Local_storage_violations_in_kubelets_order_and_words()
    {
        var pod = Pod("p");
        pod.Spec.Volumes = [new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("1Mi") } }];
        Assert.Null(EvictionPolicy.LocalStorageViolation(pod, new PodUsage([], new Dictionary<string, long> { ["scratch"] = 1L << 20 })));
        Assert.Equal(
            "Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ",
            EvictionPolicy.LocalStorageViolation(pod, new PodUsage([], new Dictionary<string, long> { ["scratch"] = 4L << 20 })));

        var limited = Pod("l");
        limited.Spec.Containers = [limited.Spec.Containers[0], new V1Container { Name = "side", Image = "i" }];
        limited.Spec.Containers[0].Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["ephemeral-storage"] = new("2Mi") } };
        var usage = new PodUsage([new ContainerUsage("main", 0, 3L << 20, 1L << 20), new ContainerUsage("side", 0, 0, 0)], new Dictionary<string, long>());
        Assert.Equal("Container main exceeded its local ephemeral storage limit \"2Mi\". ", EvictionPolicy.LocalStorageViolation(limited, usage));

        // Every container limited: the pod's total is checked before each container's.
        limited.Spec.Containers[1].Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["ephemeral-storage"] = new("1Mi") } };
        Assert.Equal("Pod ephemeral local storage usage exceeds the total limit of containers 3Mi. ", EvictionPolicy.LocalStorageViolation(limited, usage));
    }

    [Fact]
    public void An_evicted_status_is_failed_with_the_disruption_target_for_node_pressure_only()
    {
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var status = new V1PodStatus { Phase = "Running", Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }] };
        EvictionPolicy.Apply(status, new PodEviction("The node was low on resource: memory. ", 1, DisruptionTarget: true), now);
        Assert.Equal(("Failed", "Evicted", "The node was low on resource: memory. "), (status.Phase, status.Reason, status.Message));
        var target = Assert.Single(status.Conditions, c => c.Type == "DisruptionTarget");
        Assert.Equal(("True", "TerminationByKubelet", "The node was low on resource: memory. "), (target.Status, target.Reason, target.Message));

        var local = new V1PodStatus { Phase = "Running" };
        EvictionPolicy.Apply(local, new PodEviction("Usage of EmptyDir volume \"x\" exceeds the limit \"1Mi\". ", 0, DisruptionTarget: false), now);
        Assert.Equal("Evicted", local.Reason);
        Assert.Null(local.Conditions);
    }

    private static PodUsage Memory(long bytes) => new([new ContainerUsage("main", bytes, 0, 0)], new Dictionary<string, long>());

    private static V1Pod Pod(string name, int priority = 0, string? memoryRequest = null)
    {
        var pod = TestPods.Pod(name, TestPods.Container("main", "busybox"));
        pod.Spec.Priority = priority;
        if (memoryRequest is not null)
        {
            pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = TestPods.Resources(memory: memoryRequest) };
        }

        return pod;
    }
}
