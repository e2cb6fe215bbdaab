using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Pleg;

/// <summary>
/// What one relist saw: for each pod uid (the <c>io.kubernetes.pod.uid</c> label), the state of each of its sandboxes
/// and containers. Two snapshots compared give the pods whose runtime objects appeared, vanished or changed state.
/// </summary>
public sealed class RelistSnapshot
{
    private readonly Dictionary<string, Dictionary<string, int>> _pods;

    private RelistSnapshot(Dictionary<string, Dictionary<string, int>> pods) => _pods = pods;

    public static RelistSnapshot Empty { get; } = new([]);

    public IEnumerable<string> PodUids => _pods.Keys;

    public static RelistSnapshot From(IEnumerable<PodSandbox> sandboxes, IEnumerable<Container> containers)
    {
        ArgumentNullException.ThrowIfNull(sandboxes);
        ArgumentNullException.ThrowIfNull(containers);
        var pods = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var sandbox in sandboxes)
        {
            Add(pods, sandbox.Labels, "sandbox/" + sandbox.Id, (int)sandbox.State);
        }

        foreach (var container in containers)
        {
            Add(pods, container.Labels, "container/" + container.Id, (int)container.State);
        }

        return new RelistSnapshot(pods);
    }

    /// <summary>Pods with an object that is new, gone, or in another state than in <paramref name="previous"/>.</summary>
    public IReadOnlyList<string> ChangedSince(RelistSnapshot previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var changed = new List<string>();
        foreach (var uid in _pods.Keys.Union(previous._pods.Keys, StringComparer.Ordinal))
        {
            var now = _pods.GetValueOrDefault(uid);
            var before = previous._pods.GetValueOrDefault(uid);
            if (now is null || before is null || now.Count != before.Count || now.Any(o => !before.TryGetValue(o.Key, out var state) || state != o.Value))
            {
                changed.Add(uid);
            }
        }

        return changed;
    }

    private static void Add(Dictionary<string, Dictionary<string, int>> pods, Google.Protobuf.Collections.MapField<string, string> labels, string key, int state)
    {
        // Objects without the label were not made by a node role; they belong to no pod worker.
        if (!labels.TryGetValue(PodLabels.PodUid, out var uid))
        {
            return;
        }

        if (!pods.TryGetValue(uid, out var objects))
        {
            objects = new Dictionary<string, int>(StringComparer.Ordinal);
            pods[uid] = objects;
        }

        objects[key] = state;
    }
}
