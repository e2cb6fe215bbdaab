using k8s.Models;

namespace NodeAgent.Controllers.Scheduler;

/// <summary>The resources the scheduler counts: CPU in millicores, memory and ephemeral storage in bytes, and pods.</summary>
public readonly record struct ResourceAmounts(long MilliCpu, long Memory, long EphemeralStorage, long Pods = 0)
{
    public static ResourceAmounts operator +(ResourceAmounts a, ResourceAmounts b)
        => new(a.MilliCpu + b.MilliCpu, a.Memory + b.Memory, a.EphemeralStorage + b.EphemeralStorage, a.Pods + b.Pods);

    public static ResourceAmounts Max(ResourceAmounts a, ResourceAmounts b)
        => new(Math.Max(a.MilliCpu, b.MilliCpu), Math.Max(a.Memory, b.Memory), Math.Max(a.EphemeralStorage, b.EphemeralStorage), Math.Max(a.Pods, b.Pods));

    public ResourceAmounts Add(ResourceAmounts other) => this + other;

    /// <summary>Reads cpu, memory, ephemeral-storage and pods from a resource list (missing = 0).</summary>
    public static ResourceAmounts From(IDictionary<string, ResourceQuantity>? list)
        => list is null
            ? default
            : new ResourceAmounts(CpuMillis(Get(list, "cpu")), Whole(Get(list, "memory")), Whole(Get(list, "ephemeral-storage")), Whole(Get(list, "pods")));

    public static ResourceQuantity? Get(IDictionary<string, ResourceQuantity>? list, string name)
        => list is not null && list.TryGetValue(name, out var value) ? value : null;

    /// <summary>CPU quantities round up to whole millicores, as upstream's MilliValue does.</summary>
    public static long CpuMillis(ResourceQuantity? quantity) => quantity is null ? 0 : (long)Math.Ceiling(quantity.ToDecimal() * 1000m);

    public static long Whole(ResourceQuantity? quantity) => quantity is null ? 0 : (long)Math.Ceiling(quantity.ToDecimal());
}

/// <summary>What a pod asks of a node, computed as upstream's resource.PodRequests does.</summary>
public static class PodRequests
{
    /// <summary>
    /// Sum of the app containers' requests; each init container runs alone (plus the sidecars started before it), so the
    /// pod needs the larger of that and the app total; restartable (sidecar) init containers add to the app total;
    /// plus spec.overhead. A container with a limit but no request requests its limit (the API's defaulting).
    /// </summary>
    public static ResourceAmounts Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var spec = pod.Spec;
        var total = default(ResourceAmounts);
        foreach (var container in spec.Containers ?? [])
        {
            total += Of(container);
        }

        var sidecars = default(ResourceAmounts);
        var initPeak = default(ResourceAmounts);
        foreach (var init in spec.InitContainers ?? [])
        {
            var request = Of(init);
            if (init.RestartPolicy == "Always")
            {
                total += request;
                sidecars += request;
                initPeak = ResourceAmounts.Max(initPeak, sidecars);
            }
            else
            {
                initPeak = ResourceAmounts.Max(initPeak, request + sidecars);
            }
        }

        total = ResourceAmounts.Max(total, initPeak);
        return total + (ResourceAmounts.From(spec.Overhead) with { Pods = 0 });
    }

    private static ResourceAmounts Of(V1Container container)
    {
        var requests = container.Resources?.Requests;
        var limits = container.Resources?.Limits;
        return new ResourceAmounts(
            ResourceAmounts.CpuMillis(Pick("cpu")),
            ResourceAmounts.Whole(Pick("memory")),
            ResourceAmounts.Whole(Pick("ephemeral-storage")));

        ResourceQuantity? Pick(string name) => ResourceAmounts.Get(requests, name) ?? ResourceAmounts.Get(limits, name);
    }
}
