using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Node.Eviction;

namespace NodeAgent.Node.Tests.Eviction;

/// <summary>The manager's decisions over fake measurements (the real-part test is ServerEvictionTests).</summary>
public sealed class EvictionManagerTests
{
    private readonly ManualClock _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<V1Pod> _pods = [];
    private readonly Dictionary<string, PodUsage> _usage = new(StringComparer.Ordinal);
    private readonly List<(V1Pod Pod, PodEviction Eviction)> _evicted = [];
    private readonly List<string> _events = [];
    private Dictionary<string, SignalObservation> _observations = [];
    private int _reclaims;
    private int _pressureChanges;

    [Fact]
    public async Task Memory_pressure_sets_the_condition_and_evicts_one_pod_per_pass_biggest_first()
    {
        var small = AddPod("small", 10L << 20);
        var big = AddPod("big", 200L << 20);
        _observations[EvictionSignal.MemoryAvailable] = new(50L << 20, 4L << 30);
        await using var manager = Manager("memory.available<100Mi");

        Assert.Same(big, await manager.SynchronizeAsync(CancellationToken.None));
        Assert.Equal(["MemoryPressure"], manager.Conditions);
        Assert.Equal(1, _pressureChanges);
        var (pod, eviction) = Assert.Single(_evicted);
        Assert.Equal("big", pod.Metadata.Name);
        Assert.Equal("The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container main was using 200Mi, request is 0, has larger consumption of memory. ", eviction.Message);
        Assert.Equal((1L, true), (eviction.GracePeriodSeconds, eviction.DisruptionTarget));
        Assert.Equal(["node Warning EvictionThresholdMet Attempting to reclaim memory", "big Warning Evicted " + eviction.Message], _events);
        Assert.Equal(0, _reclaims);

        // The evicted pod is not chosen twice, and memory pressure reclaims nothing node-level.
        Assert.Same(small, await manager.SynchronizeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Disk_pressure_reclaims_node_level_first_and_evicts_nobody_when_that_suffices()
    {
        AddPod("p", 0);
        _observations[EvictionSignal.NodeFsAvailable] = new(5, 100);
        await using var manager = Manager("nodefs.available<10%");
        var freedAfterReclaim = new Dictionary<string, SignalObservation> { [EvictionSignal.NodeFsAvailable] = new(50, 100) };
        _onReclaim = () => _observations = freedAfterReclaim;

        Assert.Null(await manager.SynchronizeAsync(CancellationToken.None));
        Assert.Equal(1, _reclaims);
        Assert.Empty(_evicted);
        Assert.Equal(["DiskPressure"], manager.Conditions);

        // Pressure gone: the condition stays for the transition period, then clears.
        await manager.SynchronizeAsync(CancellationToken.None);
        Assert.Equal(["DiskPressure"], manager.Conditions);
        _time.Advance(TimeSpan.FromMinutes(5));
        await manager.SynchronizeAsync(CancellationToken.None);
        Assert.Empty(manager.Conditions);
        Assert.Equal(2, _pressureChanges);
    }

    [Fact]
    public async Task An_emptydir_over_its_size_limit_is_evicted_without_node_pressure()
    {
        var pod = AddPod("writer", 0);
        pod.Spec.Volumes = [new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("1Mi") } }];
        _usage[pod.Metadata.Uid] = new PodUsage([], new Dictionary<string, long> { ["scratch"] = 4L << 20 });
        await using var manager = Manager("memory.available<1Mi");
        _observations[EvictionSignal.MemoryAvailable] = new(1L << 30, 4L << 30);

        Assert.Same(pod, await manager.SynchronizeAsync(CancellationToken.None));
        var (_, eviction) = Assert.Single(_evicted);
        Assert.Equal(("Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ", 0L, false), (eviction.Message, eviction.GracePeriodSeconds, eviction.DisruptionTarget));
        Assert.Empty(manager.Conditions);
        Assert.DoesNotContain(_events, e => e.Contains("EvictionThresholdMet", StringComparison.Ordinal));
    }

    private Action _onReclaim = () => { };

    private V1Pod AddPod(string name, long memory)
    {
        var pod = TestPods.Pod(name, TestPods.Container("main", "busybox"));
        _pods.Add(pod);
        _usage[pod.Metadata.Uid] = new PodUsage([new ContainerUsage("main", memory, 0, 0)], new Dictionary<string, long>());
        return pod;
    }

    private EvictionManager Manager(string hard) => new(
        new EvictionServices
        {
            Observe = _ => Task.FromResult<IReadOnlyDictionary<string, SignalObservation>>(_observations),
            ActivePods = () => _pods,
            PodUsage = (_, _) => Task.FromResult<IReadOnlyDictionary<string, PodUsage>>(_usage),
            ReclaimNodeLevel = (_, _) =>
            {
                _reclaims++;
                _onReclaim();
                return Task.CompletedTask;
            },
            Evict = (pod, eviction) => _evicted.Add((pod, eviction)),
            PodEvent = (pod, e) => _events.Add($"{pod.Metadata.Name} {e.Type} {e.Reason} {e.Message}"),
            NodeEvent = (type, reason, message) => _events.Add($"node {type} {reason} {message}"),
            OnPressureChanged = () => _pressureChanges++,
        },
        new EvictionOptions { Hard = EvictionThreshold.ParseList(hard) },
        _time,
        NullLogger<EvictionManager>.Instance);
}
