using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network.Cni;

/// <summary>
/// The two networks every pod joins: the pod network (bridge + host-local IPAM + portmap) on the
/// pod interface, and loopback on lo. Generated from the options, never read from /etc/cni, so a
/// node's network is exactly what its flags say.
/// </summary>
public static class CniConfigGenerator
{
    public const string CniVersion = "1.0.0";

    /// <summary>The plugins the generated lists use; Status reports the network not ready without them.</summary>
    public static IReadOnlyList<string> RequiredPlugins { get; } = ["bridge", "host-local", "portmap", "loopback"];

    /// <summary>host-local keeps one file per allocated address under this directory (per network name).</summary>
    public static string IpamDataDirectory(PodNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Path.Combine(options.StateDirectory, "ipam");
    }

    /// <summary>
    /// The pod network's list. Without hostPorts the portmap plugin is left out: it would do
    /// nothing but cost an exec on every ADD and DEL (DEL uses the list stored at ADD).
    /// </summary>
    public static CniNetworkConfigList PodNetwork(PodNetworkOptions options, bool withPortMappings = true)
    {
        var cidr = Validate(options);
        var bridge = new JsonObject
        {
            ["type"] = "bridge",
            ["bridge"] = options.BridgeName,
            ["isGateway"] = true,
            // Masquerading is one node-level rule set (NodeMasquerade), not the plugin's chain per pod.
            ["ipMasq"] = false,
            ["hairpinMode"] = true,
        };
        if (options.Mtu is { } mtu)
        {
            bridge["mtu"] = mtu;
        }

        var defaultRoute = cidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "::/0" : "0.0.0.0/0";
        bridge["ipam"] = new JsonObject
        {
            ["type"] = "host-local",
            ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = cidr.ToString() })),
            ["routes"] = new JsonArray(new JsonObject { ["dst"] = defaultRoute }),
            ["dataDir"] = IpamDataDirectory(options),
        };

        if (!withPortMappings)
        {
            return new CniNetworkConfigList(CniVersion, options.NetworkName, [bridge]);
        }

        var portmap = new JsonObject
        {
            ["type"] = "portmap",
            ["capabilities"] = new JsonObject { ["portMappings"] = true },
            ["snat"] = true,
        };
        return new CniNetworkConfigList(CniVersion, options.NetworkName, [bridge, portmap]);
    }

    public static CniNetworkConfigList Loopback(PodNetworkOptions options)
    {
        Validate(options);
        return new CniNetworkConfigList(CniVersion, options.NetworkName + "-loopback", [new JsonObject { ["type"] = "loopback" }]);
    }

    /// <summary>
    /// The runtimeConfig of a pod: its hostPorts in the portmap capability's format. kubelet sends
    /// every container port, with host port 0 for those without a hostPort: those map nothing. An
    /// unspecified host address (0.0.0.0, ::) means every address, which portmap spells as no hostIP.
    /// </summary>
    public static JsonObject RuntimeConfig(IReadOnlyList<PortMapping> portMappings)
    {
        ArgumentNullException.ThrowIfNull(portMappings);
        var mappings = new JsonArray();
        foreach (var mapping in portMappings.Where(m => m.HostPort != 0))
        {
            var entry = new JsonObject
            {
                ["hostPort"] = mapping.HostPort,
                ["containerPort"] = mapping.ContainerPort,
                ["protocol"] = mapping.Protocol.ToLowerInvariant(),
            };
            if (!string.IsNullOrEmpty(mapping.HostIp) && !(IPAddress.TryParse(mapping.HostIp, out var host) && (host.Equals(IPAddress.Any) || host.Equals(IPAddress.IPv6Any))))
            {
                entry["hostIP"] = mapping.HostIp;
            }

            mappings.Add((JsonNode)entry);
        }

        return new JsonObject { ["portMappings"] = mappings };
    }

    /// <summary>Checks the options the lists are built from; returns the parsed pod CIDR.</summary>
    public static IPNetwork Validate(PodNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsInterfaceName(options.BridgeName))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"pod network: bridge name \"{options.BridgeName}\" is not a Linux interface name (1-15 characters, no '/', ':' or whitespace)");
        }

        if (!IsInterfaceName(options.InterfaceName))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"pod network: interface name \"{options.InterfaceName}\" is not a Linux interface name");
        }

        // TryParse accepts host bits (10.66.0.5/24); a pod range must be written canonically.
        if (!IPNetwork.TryParse(options.PodCidr, out var cidr) || !string.Equals(cidr.ToString(), options.PodCidr, StringComparison.OrdinalIgnoreCase))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"pod network: pod CIDR \"{options.PodCidr}\" is not a CIDR such as 10.66.0.0/24 (no host bits set)");
        }

        var maxPrefix = cidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 126 : 30;
        if (cidr.PrefixLength > maxPrefix)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"pod network: pod CIDR {options.PodCidr} leaves no room for a gateway and pods");
        }

        if (options.Mtu is < 576 or > 65535)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"pod network: MTU {options.Mtu} is outside 576-65535");
        }

        if (string.IsNullOrWhiteSpace(options.NetworkName) || options.NetworkName.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"pod network: network name \"{options.NetworkName}\" must be letters, digits, '-', '_' or '.'");
        }

        if (!Path.IsPathFullyQualified(options.StateDirectory) || !Path.IsPathFullyQualified(options.CniBinDirectory))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "pod network: the state and CNI bin directories must be absolute paths");
        }

        return cidr;
    }

    private static bool IsInterfaceName(string name)
        => name.Length is > 0 and <= 15 && name is not ("." or "..")
            && !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || c > 127);
}
