using System.Globalization;

namespace NodeAgent.Controllers.Scheduler;

/// <summary>The outcome for one pod: the chosen node, or the message explaining why none fits.</summary>
public sealed record ScheduleDecision(string? NodeName, string? FailureMessage)
{
    public bool Fits => NodeName is not null;
}

/// <summary>Filter every node, then pick the least allocated of those that fit (upstream's default LeastAllocated score).</summary>
public static class SchedulingAlgorithm
{
    public const string NoNodesMessage = "no nodes available to schedule pods";

    public static ScheduleDecision Schedule(k8s.Models.V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0)
        {
            return new ScheduleDecision(null, NoNodesMessage);
        }

        var request = PodRequests.Of(pod);
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        NodeInfo? best = null;
        var bestScore = double.MinValue;
        foreach (var node in nodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var failures = Predicates.Filter(pod, node);
            if (failures.Count > 0)
            {
                foreach (var reason in failures)
                {
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }

                continue;
            }

            var score = LeastAllocatedScore(request, node);
            if (score > bestScore)
            {
                (best, bestScore) = (node, score);
            }
        }

        return best is not null ? new ScheduleDecision(best.Name, null) : new ScheduleDecision(null, FailureMessage(nodes.Count, reasons));
    }

    /// <summary>
    /// Upstream's FitError text: "0/N nodes are available: " then "count reason" per reason, sorted as strings, joined
    /// with ", ", and a full stop — e.g. "0/1 nodes are available: 1 Insufficient cpu.".
    /// </summary>
    public static string FailureMessage(int nodeCount, IReadOnlyDictionary<string, int> reasonCounts)
    {
        ArgumentNullException.ThrowIfNull(reasonCounts);
        var parts = reasonCounts.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}")).Order(StringComparer.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"0/{nodeCount} nodes are available: {string.Join(", ", parts)}.");
    }

    /// <summary>Mean free fraction of cpu and memory after placing the pod (0–1, higher is emptier).</summary>
    private static double LeastAllocatedScore(ResourceAmounts request, NodeInfo node)
    {
        static double Free(long requested, long allocatable) => allocatable <= 0 ? 0 : Math.Max(0, allocatable - requested) / (double)allocatable;

        return (Free(node.Requested.MilliCpu + request.MilliCpu, node.Allocatable.MilliCpu) + Free(node.Requested.Memory + request.Memory, node.Allocatable.Memory)) / 2;
    }
}
