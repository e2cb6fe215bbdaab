using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NodeAgent.Runtime.Common.Processes;

namespace NodeAgent.Runtime.Network.Cni;

/// <summary>
/// Removes the bridge plugin's ipMasq rules for a pod whose network namespace vanished before DEL.
/// The bridge plugin (1.1.x) learns which addresses to un-masquerade from the pod's interface, so
/// without the namespace its DEL leaves a POSTROUTING rule and a CNI-… chain behind per pod. The
/// runtime still knows the addresses (the ADD result) and the plugin's naming (chain
/// "CNI-" + first 24 hex digits of sha512(network name + container id), comment
/// <c>name: "N" id: "ID"</c>), so it removes them itself. Every step tolerates "already gone".
/// </summary>
internal sealed class BridgeMasqueradeCleanup
{
    private static readonly string[] SearchDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private readonly IProcessRunner _processRunner;

    public BridgeMasqueradeCleanup(IProcessRunner processRunner)
    {
        _processRunner = processRunner ?? throw new ArgumentNullException(nameof(processRunner));
    }

    public static string ChainName(string networkName, string containerId)
        => "CNI-" + Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(networkName + containerId)))[..24];

    public static string Comment(string networkName, string containerId) => $"name: \"{networkName}\" id: \"{containerId}\"";

    /// <summary>True when the list's bridge plugin masquerades (only then are there rules to remove).</summary>
    public static bool Applies(CniNetworkConfigList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Plugins.Any(p => CniJson.OptionalString(p, "type") == "bridge"
            && p["ipMasq"] is JsonValue value && value.TryGetValue(out bool on) && on);
    }

    public async Task RemoveAsync(string networkName, string containerId, IEnumerable<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var chain = ChainName(networkName, containerId);
        var comment = Comment(networkName, containerId);
        foreach (var family in addresses.GroupBy(a => a.AddressFamily))
        {
            var tool = Resolve(family.Key == AddressFamily.InterNetworkV6 ? "ip6tables" : "iptables");
            if (tool is null)
            {
                continue;
            }

            var hostPrefix = family.Key == AddressFamily.InterNetworkV6 ? 128 : 32;
            foreach (var address in family)
            {
                await RunIgnoringFailureAsync(tool, ["-w", "-t", "nat", "-D", "POSTROUTING", "-s", $"{address}/{hostPrefix}", "-m", "comment", "--comment", comment, "-j", chain], cancellationToken);
            }

            await RunIgnoringFailureAsync(tool, ["-w", "-t", "nat", "-F", chain], cancellationToken);
            await RunIgnoringFailureAsync(tool, ["-w", "-t", "nat", "-X", chain], cancellationToken);
        }
    }

    private async Task RunIgnoringFailureAsync(string tool, string[] arguments, CancellationToken cancellationToken)
    {
        // Exit status 1 ("does not exist") is the normal answer when the plugin did clean up.
        await _processRunner.RunAsync(new ProcessSpec(tool, arguments) { Timeout = TimeSpan.FromSeconds(30) }, cancellationToken);
    }

    private static string? Resolve(string name)
        => SearchDirectories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
