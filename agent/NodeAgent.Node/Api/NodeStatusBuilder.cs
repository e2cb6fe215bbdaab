using System.Globalization;
using k8s.Models;
using NodeAgent.Node.Eviction;

namespace NodeAgent.Node.Api;

/// <summary>What the node says about itself besides the machine: name, address, runtime and versions.</summary>
public sealed record NodeIdentity
{
    public required string NodeName { get; init; }

    public required string HostIP { get; init; }

    /// <summary>containerRuntimeVersion as kubelet reports it: <c>&lt;runtime name&gt;://&lt;runtime version&gt;</c> from CRI Version.</summary>
    public required string ContainerRuntimeVersion { get; init; }

    /// <summary>kubeletVersion (the version kubectl get nodes shows).</summary>
    public string KubeletVersion { get; init; } = "v1.32.0";

    public string? PodCidr { get; init; }

    public long MaxPods { get; init; } = 110;
}

/// <summary>
/// Builds the Node object and its status the way kubelet does: capacity from the machine, allocatable = capacity minus
/// the hard eviction thresholds (memory.available 100Mi, nodefs.available 10%), the four conditions with kubelet's
/// reasons and messages (the pressure ones as the eviction manager decides), lastTransitionTime moving only on a change. Pure.
/// </summary>
public static class NodeStatusBuilder
{
    public static V1Node NewNode(NodeIdentity identity, MachineSnapshot machine, IReadOnlyDictionary<string, string>? extraLabels = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(machine);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kubernetes.io/hostname"] = identity.NodeName,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = machine.Architecture,
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = machine.Architecture,
        };
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = identity.NodeName, Labels = labels },
            Spec = new V1NodeSpec
            {
                PodCIDR = identity.PodCidr,
                PodCIDRs = identity.PodCidr is null ? null : [identity.PodCidr],
            },
        };
    }

    public static V1NodeStatus Build(
        NodeIdentity identity,
        MachineSnapshot machine,
        IList<V1NodeCondition>? previous,
        DateTime now,
        string? notReady = null,
        IReadOnlySet<string>? pressure = null,
        IReadOnlyList<EvictionThreshold>? hardEviction = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(machine);
        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(machine.Cpus.ToString(CultureInfo.InvariantCulture)),
            ["memory"] = Kibibytes(machine.MemoryBytes),
            ["ephemeral-storage"] = Kibibytes(machine.DiskBytes),
            ["pods"] = new(identity.MaxPods.ToString(CultureInfo.InvariantCulture)),
        };
        var allocatable = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = capacity["cpu"],
            ["memory"] = Kibibytes(Math.Max(0, machine.MemoryBytes - Reserved(hardEviction, EvictionSignal.MemoryAvailable, machine.MemoryBytes))),
            ["ephemeral-storage"] = new(Math.Max(0, machine.DiskBytes - Reserved(hardEviction, EvictionSignal.NodeFsAvailable, machine.DiskBytes)).ToString(CultureInfo.InvariantCulture)),
            ["pods"] = capacity["pods"],
        };

        var conditions = NodePressure.Conditions
            .Select(type => Condition(previous, now, type, pressure?.Contains(type) == true, NodePressure.Text(type, pressure?.Contains(type) == true)))
            .Append(Condition(previous, now, "Ready", notReady is null, notReady is null ? ("KubeletReady", "kubelet is posting ready status") : ("KubeletNotReady", notReady)))
            .ToArray();

        return new V1NodeStatus
        {
            Capacity = capacity,
            Allocatable = allocatable,
            Conditions = conditions,
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = identity.HostIP },
                new V1NodeAddress { Type = "Hostname", Address = identity.NodeName },
            ],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = 10250 } },
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = machine.MachineId,
                SystemUUID = machine.MachineId,
                BootID = machine.BootId,
                KernelVersion = machine.KernelVersion,
                OsImage = machine.OsImage,
                ContainerRuntimeVersion = identity.ContainerRuntimeVersion,
                KubeletVersion = identity.KubeletVersion,
                KubeProxyVersion = identity.KubeletVersion,
                OperatingSystem = "linux",
                Architecture = machine.Architecture,
            },
        };
    }

    /// <summary>
    /// Whether the status must be written now: a condition's status changed, or the report frequency has passed since
    /// the last heartbeat (kubelet's nodeStatusReportFrequency; the Lease is the liveness signal in between), or
    /// capacity/allocatable/addresses/nodeInfo changed.
    /// </summary>
    public static bool NeedsReport(V1NodeStatus? reported, V1NodeStatus current, DateTime now, TimeSpan reportFrequency)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (reported?.Conditions is null)
        {
            return true;
        }

        foreach (var condition in current.Conditions)
        {
            var old = reported.Conditions.FirstOrDefault(c => c.Type == condition.Type);
            if (old is null || old.Status != condition.Status || old.Reason != condition.Reason)
            {
                return true;
            }

            if (old.LastHeartbeatTime is not { } heartbeat || now - heartbeat >= reportFrequency)
            {
                return true;
            }
        }

        return !SameResources(reported.Capacity, current.Capacity) || !SameResources(reported.Allocatable, current.Allocatable)
            || !NodeAgent.Controllers.Machinery.ObjectCopy.JsonEquals(reported.Addresses, current.Addresses) || !NodeAgent.Controllers.Machinery.ObjectCopy.JsonEquals(reported.NodeInfo, current.NodeInfo);
    }

    private static bool SameResources(IDictionary<string, ResourceQuantity>? a, IDictionary<string, ResourceQuantity>? b)
        => a is not null && b is not null && a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var q) && q.ToDecimal() == kv.Value.ToDecimal());


    /// <summary>Allocatable leaves the hard eviction threshold free, as kubelet's does (capacity − reserved − hard threshold).</summary>
    private static long Reserved(IReadOnlyList<EvictionThreshold>? hard, string signal, long capacity)
        => (hard ?? DefaultHard).FirstOrDefault(t => t.Signal == signal)?.Amount(capacity) ?? 0;

    private static readonly IReadOnlyList<EvictionThreshold> DefaultHard = EvictionThreshold.ParseList(EvictionThreshold.DefaultHard);

    private static ResourceQuantity Kibibytes(long bytes) => new((bytes / 1024).ToString(CultureInfo.InvariantCulture) + "Ki");

    private static V1NodeCondition Condition(IList<V1NodeCondition>? previous, DateTime now, string type, bool status, (string Reason, string Message) text)
    {
        var value = status ? "True" : "False";
        var old = previous?.FirstOrDefault(c => c.Type == type);
        return new V1NodeCondition
        {
            Type = type,
            Status = value,
            Reason = text.Reason,
            Message = text.Message,
            LastHeartbeatTime = now,
            LastTransitionTime = old is not null && old.Status == value ? old.LastTransitionTime ?? now : now,
        };
    }
}
