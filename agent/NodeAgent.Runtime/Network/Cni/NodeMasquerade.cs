using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network.Cni;

/// <summary>
/// One masquerade rule set for the whole pod network instead of the bridge plugin's ipMasq, which
/// adds a chain and a POSTROUTING rule per pod (≈ 5 iptables runs on every ADD and DEL, 15–40 ms
/// each way on this machine). Traffic from the pod CIDR to anything but the pod CIDR and multicast
/// is masqueraded, exactly what ipMasq does per pod:
/// <code>
/// -A POSTROUTING -s CIDR -m comment --comment "nodeagent pod network on BRIDGE" -j NA-MASQ-BRIDGE
/// -A NA-MASQ-BRIDGE -d CIDR -j RETURN
/// -A NA-MASQ-BRIDGE -d 224.0.0.0/4 -j RETURN
/// -A NA-MASQ-BRIDGE -j MASQUERADE
/// </code>
/// Installed once per process before the first pod's ADD (one <c>iptables-restore</c>, one check,
/// at most one append) and kept, like the bridge itself, when pods go (whoever deletes the bridge
/// removes the chain and its jump too).
/// </summary>
internal sealed class NodeMasquerade
{
    private static readonly string[] SearchDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private readonly IProcessRunner _processes;
    private readonly Lock _gate = new();
    private Task? _installing;

    public NodeMasquerade(IProcessRunner processes)
    {
        _processes = processes ?? throw new ArgumentNullException(nameof(processes));
    }

    /// <summary>Bridge names have at most 15 characters, so the chain name stays within iptables' 28.</summary>
    public static string ChainName(string bridge) => "NA-MASQ-" + bridge;

    public static string Comment(string bridge) => $"nodeagent pod network on {bridge}";

    /// <summary>Installs the rules unless this process already did (a failed attempt is retried by the next caller).</summary>
    public Task EnsureAsync(string bridge, IPNetwork cidr, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_installing is null || _installing.IsFaulted || _installing.IsCanceled)
            {
                // Not tied to one caller's token: every concurrent first pod waits for the same install.
                _installing = InstallAsync(bridge, cidr, CancellationToken.None);
            }

            return _installing.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The iptables-restore input that (re)writes the chain; declaring a chain under --noflush empties it first.</summary>
    internal static string ChainRules(string bridge, IPNetwork cidr)
    {
        var chain = ChainName(bridge);
        var multicast = cidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "ff00::/8" : "224.0.0.0/4";
        var rules = new StringBuilder();
        rules.Append("*nat\n");
        rules.Append(CultureInfo.InvariantCulture, $":{chain} - [0:0]\n");
        rules.Append(CultureInfo.InvariantCulture, $"-A {chain} -d {cidr} -j RETURN\n");
        rules.Append(CultureInfo.InvariantCulture, $"-A {chain} -d {multicast} -j RETURN\n");
        rules.Append(CultureInfo.InvariantCulture, $"-A {chain} -j MASQUERADE\n");
        rules.Append("COMMIT\n");
        return rules.ToString();
    }

    internal static string[] JumpRule(string bridge, IPNetwork cidr)
        => ["-s", cidr.ToString(), "-m", "comment", "--comment", Comment(bridge), "-j", ChainName(bridge)];

    private async Task InstallAsync(string bridge, IPNetwork cidr, CancellationToken cancellationToken)
    {
        var restore = await _processes.RunAsync(
            Spec(Tool(cidr, restore: true), ["-w", "--noflush"]) with { StandardInput = Encoding.UTF8.GetBytes(ChainRules(bridge, cidr)) },
            cancellationToken);
        if (!restore.Succeeded)
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"install the pod network's masquerade chain {ChainName(bridge)}: {restore.StandardError.Trim()}");
        }

        var tool = Tool(cidr, restore: false);
        var present = await _processes.RunAsync(Spec(tool, ["-w", "-t", "nat", "-C", "POSTROUTING", .. JumpRule(bridge, cidr)]), cancellationToken);
        if (present.Succeeded)
        {
            return;
        }

        var added = await _processes.RunAsync(Spec(tool, ["-w", "-t", "nat", "-A", "POSTROUTING", .. JumpRule(bridge, cidr)]), cancellationToken);
        if (!added.Succeeded)
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"install the pod network's masquerade rule: {added.StandardError.Trim()}");
        }
    }

    private static ProcessSpec Spec(string tool, string[] arguments) => new(tool, arguments) { Timeout = TimeSpan.FromSeconds(30) };

    private static string Tool(IPNetwork cidr, bool restore)
    {
        var name = (cidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6tables" : "iptables") + (restore ? "-restore" : "");
        return SearchDirectories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"{name} is not installed (Debian package iptables)");
    }
}
