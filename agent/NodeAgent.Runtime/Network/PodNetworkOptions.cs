namespace NodeAgent.Runtime.Network;

/// <summary>
/// Pod networking configuration. Every path derives from the runtime's data/run dirs; the
/// pin directory is fixed at /run/netns so that <c>ip netns</c> and leak checks see every pod.
/// </summary>
public sealed record PodNetworkOptions
{
    /// <summary>Linux bridge the CNI bridge plugin creates and attaches pods to (at most 15 bytes).</summary>
    public required string BridgeName { get; init; }

    /// <summary>The node's pod range (e.g. 10.66.0.0/24), used as the host-local IPAM range.</summary>
    public required string PodCidr { get; init; }

    /// <summary><c>&lt;data-dir&gt;/network</c>: per-sandbox state and the host-local IPAM dataDir.</summary>
    public required string StateDirectory { get; init; }

    public string CniBinDirectory { get; init; } = "/usr/lib/cni";

    public int? Mtu { get; init; }

    /// <summary>
    /// The CNI network name: part of iptables chain names and comments and of the IPAM directory.
    /// </summary>
    public string NetworkName { get; init; } = "nodeagent";

    /// <summary>Name of the pod's interface inside its namespace.</summary>
    public string InterfaceName { get; init; } = "eth0";

    /// <summary>The state directory of a runtime whose data dir is <paramref name="dataDir"/>: <c>&lt;data-dir&gt;/network</c>.</summary>
    public static string StateDirectoryFor(string dataDir) => Path.Combine(dataDir, "network");

    /// <summary>A plugin call that runs longer than this is killed (a wedged iptables lock, for example).</summary>
    public TimeSpan PluginTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
