using k8s.Models;

namespace NodeAgent.Controllers.Scheduler;

/// <summary>A node as the scheduler sees it: the Node object, the pods assigned to it and what they use.</summary>
public sealed class NodeInfo
{
    /// <summary>Pods a node admits when its status does not say (kubelet's default maxPods).</summary>
    public const long DefaultMaxPods = 110;

    public NodeInfo(V1Node node, IEnumerable<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(node);
        Node = node;
        Pods = [.. pods];
        Allocatable = ResourceAmounts.From(node.Status?.Allocatable ?? node.Status?.Capacity);
        if (Allocatable.Pods == 0)
        {
            Allocatable = Allocatable with { Pods = DefaultMaxPods };
        }

        foreach (var pod in Pods)
        {
            Requested += PodRequests.Of(pod);
            foreach (var port in HostPorts.Of(pod))
            {
                UsedPorts.Add(port);
            }
        }
    }

    public V1Node Node { get; }

    public string Name => Node.Metadata.Name;

    public IReadOnlyList<V1Pod> Pods { get; }

    public ResourceAmounts Allocatable { get; }

    public ResourceAmounts Requested { get; }

    public List<HostPort> UsedPorts { get; } = [];

    /// <summary>Taints as the scheduler honours them: the node's own, plus the condition taints the node lifecycle controller would add.</summary>
    public IReadOnlyList<V1Taint> EffectiveTaints()
    {
        var taints = new List<V1Taint>(Node.Spec?.Taints ?? []);
        var ready = Node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

        // Upstream the node lifecycle controller taints a node whose Ready is False (not-ready) or Unknown/absent
        // (unreachable); we have no such controller, so the scheduler derives the same taints from the condition.
        var conditionTaint = ready?.Status switch
        {
            "True" => null,
            "False" => Taints.NotReady,
            _ => Taints.Unreachable,
        };
        if (conditionTaint is not null && !taints.Any(t => t.Key == conditionTaint && t.Effect == "NoSchedule"))
        {
            taints.Add(new V1Taint { Key = conditionTaint, Effect = "NoSchedule" });
        }

        return taints;
    }
}

/// <summary>One host port a pod binds: (hostIP, protocol, port); hostIP 0.0.0.0 means every address.</summary>
public readonly record struct HostPort(string HostIP, string Protocol, int Port)
{
    public const string AnyAddress = "0.0.0.0";

    /// <summary>Two host ports clash when protocol and port match and either listens on every address or both on the same one.</summary>
    public bool ConflictsWith(HostPort other)
        => Port == other.Port && Protocol == other.Protocol && (HostIP == other.HostIP || HostIP == AnyAddress || other.HostIP == AnyAddress);
}

public static class HostPorts
{
    public static IEnumerable<HostPort> Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return (pod.Spec.Containers ?? []).Concat(pod.Spec.InitContainers ?? [])
            .SelectMany(c => c.Ports ?? [])
            .Where(p => p.HostPort is > 0)
            .Select(p => new HostPort(string.IsNullOrEmpty(p.HostIP) ? HostPort.AnyAddress : p.HostIP, string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol, p.HostPort!.Value));
    }
}

/// <summary>Well-known taint keys.</summary>
public static class Taints
{
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";
}
