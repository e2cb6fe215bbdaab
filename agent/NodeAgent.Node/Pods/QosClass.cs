using k8s.Models;

namespace NodeAgent.Node.Pods;

/// <summary>Kubernetes QoS classes, computed the way the API server and kubelet do (cpu and memory only).</summary>
public static class QosClass
{
    public const string Guaranteed = "Guaranteed";
    public const string Burstable = "Burstable";
    public const string BestEffort = "BestEffort";

    public static string Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var containers = (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []).ToList();
        var any = false;
        var guaranteed = true;
        foreach (var c in containers)
        {
            foreach (var resource in new[] { "cpu", "memory" })
            {
                var request = Quantity(c.Resources?.Requests, resource);
                var limit = Quantity(c.Resources?.Limits, resource);
                if (request is not null || limit is not null)
                {
                    any = true;
                }

                // A missing request defaults to the limit (API defaulting), so only an explicit, different request breaks Guaranteed.
                if (limit is null || (request is not null && request.ToDecimal() != limit.ToDecimal()))
                {
                    guaranteed = false;
                }
            }
        }

        return !any ? BestEffort : guaranteed ? Guaranteed : Burstable;
    }

    internal static ResourceQuantity? Quantity(IDictionary<string, ResourceQuantity>? map, string name)
        => map is not null && map.TryGetValue(name, out var q) ? q : null;
}
