using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace NodeAgent.Node.Api;

/// <summary>
/// Turns the status the node computed into the status to store: conditions the node does not own (PodScheduled, set by
/// the scheduler; readiness gates and DisruptionTarget, set by others) are kept from the API, timestamps are cut to
/// whole seconds (what the API's RFC 3339 times hold), and a write is needed only when the result differs. Pure.
/// </summary>
public static partial class PodStatusMerge
{
    private static readonly HashSet<string> ForeignConditions = new(StringComparer.Ordinal) { "PodScheduled" };

    public static V1PodStatus Merge(V1PodStatus? api, V1PodStatus node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var merged = Normalize(node);
        var nodeTypes = (merged.Conditions ?? []).Select(c => c.Type).ToHashSet(StringComparer.Ordinal);

        // Conditions the node does not own come from the API as they are; then the node's own, in its order.
        var conditions = (api?.Conditions ?? []).Where(c => ForeignConditions.Contains(c.Type) || !nodeTypes.Contains(c.Type)).ToList();
        conditions.AddRange((merged.Conditions ?? []).Where(c => !conditions.Any(k => k.Type == c.Type)));
        merged.Conditions = conditions;
        merged.NominatedNodeName ??= api?.NominatedNodeName;
        if (merged.Conditions.Count == 0)
        {
            merged.Conditions = null;
        }

        return merged;
    }

    public static bool NeedsWrite(V1PodStatus? api, V1PodStatus merged)
        => api is null || !string.Equals(Canonical(api), Canonical(merged), StringComparison.Ordinal);

    /// <summary>The status with every timestamp cut to whole seconds, the precision the API stores.</summary>
    public static V1PodStatus Normalize(V1PodStatus status) => KubernetesJson.Deserialize<V1PodStatus>(Canonical(status));

    private static string Canonical(V1PodStatus status) => FractionalSeconds().Replace(KubernetesJson.Serialize(status), "$1Z");

    [GeneratedRegex(@"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})")]
    private static partial Regex FractionalSeconds();
}
