namespace NodeAgent.Node;

/// <summary>Where the node core puts things and what it tells pods about the node. Every path derives from the data dir in production.</summary>
public sealed record NodeOptions
{
    /// <summary>This node's name (spec.nodeName, fieldRef spec.nodeName).</summary>
    public string NodeName { get; init; } = Environment.MachineName;

    /// <summary>The node's address (status.hostIP).</summary>
    public string HostIP { get; init; } = "127.0.0.1";

    /// <summary>Per-pod state: <c>&lt;PodsRoot&gt;/&lt;uid&gt;/volumes/…</c> (kubelet's /var/lib/kubelet/pods).</summary>
    public string PodsRoot { get; init; } = "/var/lib/nodeagent/pods";

    /// <summary>Root of the CRI log directories <c>&lt;ns&gt;_&lt;name&gt;_&lt;uid&gt;</c>.</summary>
    public string PodLogsRoot { get; init; } = "/var/log/pods";

    /// <summary>cgroupfs path the QoS tree (<c>kubepods/…</c>) lives under; empty for the hierarchy root.</summary>
    public string CgroupRoot { get; init; } = string.Empty;

    /// <summary>Cluster DNS service IP for ClusterFirst pods; without it those pods get the host's resolver, as kubelet does.</summary>
    public string? ClusterDns { get; init; }

    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The host's resolv.conf, for dnsPolicy Default.</summary>
    public string HostResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>Directory Localhost seccomp profiles are relative to.</summary>
    public string SeccompProfileRoot { get; init; } = "/var/lib/nodeagent/seccomp";

    /// <summary>Runtime name in containerIDs (<c>&lt;name&gt;://&lt;id&gt;</c>).</summary>
    public string RuntimeName { get; init; } = "nodeagent";

    /// <summary>Node allocatable CPU in millicores: resourceFieldRef of an unset limit reports it.</summary>
    public long AllocatableMilliCpu { get; init; } = Environment.ProcessorCount * 1000L;

    /// <summary>Node memory capacity in bytes: Burstable oom_score_adj and unset memory limits use it.</summary>
    public long MemoryCapacityBytes { get; init; } = (long)GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Lowest oom_score_adj the node may ask for. 0 here: root on this machine lacks CAP_SYS_RESOURCE and
    /// lowering below 0 is refused (DESIGN.md §7); kubelet's own floor for Guaranteed pods is -997.
    /// </summary>
    public int MinOomScoreAdj { get; init; }
}
