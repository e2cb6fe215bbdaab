using k8s.Models;
using NodeAgent.Api.Resources.Validation;

namespace NodeAgent.Api.Resources.Pods;

/// <summary>The pod's QoS class as upstream's GetPodQOS computes it from cpu and memory requests and limits.</summary>
public static class PodQos
{
    private static readonly string[] ComputeResources = ["cpu", "memory"];

    public static string ClassOf(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var requests = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var limits = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var guaranteed = true;
        foreach (var container in PodSpecDefaults.AllContainers(spec))
        {
            Add(container.Resources?.Requests, requests);
            var limitsFound = Add(container.Resources?.Limits, limits);
            if (!ComputeResources.All(limitsFound.Contains))
            {
                guaranteed = false;
            }
        }

        if (requests.Count == 0 && limits.Count == 0)
        {
            return "BestEffort";
        }

        if (guaranteed && requests.All(r => limits.TryGetValue(r.Key, out var l) && l == r.Value) && requests.Count == limits.Count)
        {
            return "Guaranteed";
        }

        return "Burstable";
    }

    /// <summary>Sums the non-zero cpu/memory quantities into <paramref name="totals"/>; returns the names seen.</summary>
    private static HashSet<string> Add(IDictionary<string, ResourceQuantity>? quantities, Dictionary<string, decimal> totals)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, quantity) in quantities ?? new Dictionary<string, ResourceQuantity>())
        {
            if (!ComputeResources.Contains(name) || Quantities.ValueOf(quantity) is not { } value || value == 0)
            {
                continue;
            }

            seen.Add(name);
            totals[name] = totals.GetValueOrDefault(name) + value;
        }

        return seen;
    }
}
