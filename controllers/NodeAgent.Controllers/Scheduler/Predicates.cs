using System.Globalization;
using k8s.Models;

namespace NodeAgent.Controllers.Scheduler;

/// <summary>
/// The scheduler's filter plugins, in upstream's order (NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts,
/// NodeResourcesFit). A node is rejected by the first plugin that fails; the reasons are upstream's strings, which the
/// FailedScheduling message counts.
/// </summary>
public static class Predicates
{
    public const string ReasonUnschedulable = "node(s) were unschedulable";
    public const string ReasonNodeSelector = "node(s) didn't match Pod's node affinity/selector";
    public const string ReasonHostPorts = "node(s) didn't have free ports for the requested pod ports";
    public const string ReasonTooManyPods = "Too many pods";

    /// <returns>Why the pod does not fit on the node; empty when it fits.</returns>
    public static IReadOnlyList<string> Filter(V1Pod pod, NodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(node);
        if (node.Node.Spec?.Unschedulable == true && !Tolerates(pod, new V1Taint { Key = Taints.Unschedulable, Effect = "NoSchedule" }))
        {
            return [ReasonUnschedulable];
        }

        if (FirstUntoleratedTaint(pod, node.EffectiveTaints()) is { } taint)
        {
            return [string.Create(CultureInfo.InvariantCulture, $"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}")];
        }

        if (!MatchesNodeSelector(pod, node.Node))
        {
            return [ReasonNodeSelector];
        }

        if (HostPorts.Of(pod).Any(wanted => node.UsedPorts.Any(used => used.ConflictsWith(wanted))))
        {
            return [ReasonHostPorts];
        }

        return InsufficientResources(PodRequests.Of(pod), node);
    }

    /// <summary>NodeResourcesFit: every pod takes a pod slot; cpu/memory/storage are checked only when requested.</summary>
    public static IReadOnlyList<string> InsufficientResources(ResourceAmounts request, NodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var reasons = new List<string>();
        var free = new ResourceAmounts(
            node.Allocatable.MilliCpu - node.Requested.MilliCpu,
            node.Allocatable.Memory - node.Requested.Memory,
            node.Allocatable.EphemeralStorage - node.Requested.EphemeralStorage);
        if (node.Pods.Count + 1 > node.Allocatable.Pods)
        {
            reasons.Add(ReasonTooManyPods);
        }

        if (request.MilliCpu > 0 && request.MilliCpu > free.MilliCpu)
        {
            reasons.Add("Insufficient cpu");
        }

        if (request.Memory > 0 && request.Memory > free.Memory)
        {
            reasons.Add("Insufficient memory");
        }

        if (request.EphemeralStorage > 0 && request.EphemeralStorage > free.EphemeralStorage)
        {
            reasons.Add("Insufficient ephemeral-storage");
        }

        return reasons;
    }

    /// <summary>The first NoSchedule/NoExecute taint no toleration of the pod tolerates (PreferNoSchedule never filters).</summary>
    public static V1Taint? FirstUntoleratedTaint(V1Pod pod, IEnumerable<V1Taint> taints)
    {
        ArgumentNullException.ThrowIfNull(taints);
        return taints.FirstOrDefault(t => t.Effect is "NoSchedule" or "NoExecute" && !Tolerates(pod, t));
    }

    public static bool Tolerates(V1Pod pod, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return (pod.Spec.Tolerations ?? []).Any(t => ToleratesTaint(t, taint));
    }

    /// <summary>Upstream's ToleratesTaint: effect and key must match when set; Exists ignores the value, Equal (the default) compares it.</summary>
    public static bool ToleratesTaint(V1Toleration toleration, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(toleration);
        ArgumentNullException.ThrowIfNull(taint);
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key)
        {
            return false;
        }

        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? string.Empty) == (taint.Value ?? string.Empty),
            _ => false,
        };
    }

    /// <summary>NodeAffinity: spec.nodeSelector labels all present, and one of the required node selector terms matching.</summary>
    public static bool MatchesNodeSelector(V1Pod pod, V1Node node)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(node);
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var (key, value) in pod.Spec.NodeSelector ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        var required = pod.Spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is null || (required.NodeSelectorTerms ?? []).Any(term => MatchesTerm(term, node, labels));
    }

    private static bool MatchesTerm(V1NodeSelectorTerm term, V1Node node, IDictionary<string, string> labels)
    {
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];

        // An empty term matches no node (upstream).
        if (expressions.Count == 0 && fields.Count == 0)
        {
            return false;
        }

        return expressions.All(e => Matches(e, labels.TryGetValue(e.Key, out var v) ? v : null))
            && fields.All(f => f.Key == "metadata.name" && Matches(f, node.Metadata.Name));
    }

    private static bool Matches(V1NodeSelectorRequirement requirement, string? value)
    {
        var values = requirement.Values ?? [];
        return requirement.OperatorProperty switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => CompareNumber(value, values, (a, b) => a > b),
            "Lt" => CompareNumber(value, values, (a, b) => a < b),
            _ => false,
        };
    }

    private static bool CompareNumber(string? value, IList<string> values, Func<long, long, bool> compare)
        => values.Count == 1
           && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var actual)
           && long.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bound)
           && compare(actual, bound);
}
