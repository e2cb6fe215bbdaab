using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network.Cni;

/// <summary>One interface of a CNI result; <paramref name="Sandbox"/> is the netns path for pod interfaces, null for host ones.</summary>
internal sealed record CniInterface(string Name, string? Mac, string? Sandbox);

/// <summary>One address of a CNI result; <paramref name="InterfaceIndex"/> points into <see cref="CniResult.Interfaces"/>.</summary>
internal sealed record CniIpConfig(IPAddress Address, int PrefixLength, IPAddress? Gateway, int? InterfaceIndex);

/// <summary>
/// The parts of a CNI 1.0.0 ADD result the runtime uses. <see cref="Json"/> keeps the whole
/// document, because it is handed on verbatim as prevResult (next plugin, and DEL).
/// </summary>
internal sealed record CniResult(string CniVersion, IReadOnlyList<CniInterface> Interfaces, IReadOnlyList<CniIpConfig> Ips, JsonObject Json)
{
    /// <summary>The addresses on interfaces inside the sandbox (all addresses when the result names no interface).</summary>
    public IReadOnlyList<IPAddress> SandboxAddresses()
        => Ips.Where(ip => ip.InterfaceIndex is not { } index
                || (index >= 0 && index < Interfaces.Count && !string.IsNullOrEmpty(Interfaces[index].Sandbox)))
            .Select(ip => ip.Address)
            .ToList();

    public static CniResult Parse(string json, string what)
    {
        try
        {
            return Parse(JsonNode.Parse(json) as JsonObject ?? throw new RuntimeException(RuntimeErrorKind.Internal, $"{what}: result is not a JSON object"), what);
        }
        catch (JsonException e)
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"{what}: result is not valid JSON: {e.Message}", e);
        }
    }

    public static CniResult Parse(JsonObject json, string what)
    {
        var version = CniJson.OptionalString(json, "cniVersion") ?? "";
        var interfaces = new List<CniInterface>();
        if (json["interfaces"] is JsonArray interfaceArray)
        {
            foreach (var node in interfaceArray.OfType<JsonObject>())
            {
                interfaces.Add(new CniInterface(
                    CniJson.OptionalString(node, "name") ?? "",
                    CniJson.OptionalString(node, "mac"),
                    CniJson.OptionalString(node, "sandbox") is { Length: > 0 } sandbox ? sandbox : null));
            }
        }

        var ips = new List<CniIpConfig>();
        if (json["ips"] is JsonArray ipArray)
        {
            foreach (var node in ipArray.OfType<JsonObject>())
            {
                var address = CniJson.OptionalString(node, "address")
                    ?? throw new RuntimeException(RuntimeErrorKind.Internal, $"{what}: an ips entry has no address");
                if (!TryParseCidrAddress(address, out var ip, out var prefix))
                {
                    throw new RuntimeException(RuntimeErrorKind.Internal, $"{what}: address \"{address}\" is not address/prefix");
                }

                IPAddress? gateway = null;
                if (CniJson.OptionalString(node, "gateway") is { } gatewayText && !IPAddress.TryParse(gatewayText, out gateway))
                {
                    throw new RuntimeException(RuntimeErrorKind.Internal, $"{what}: gateway \"{gatewayText}\" is not an IP address");
                }

                int? index = node["interface"] is JsonValue indexValue && indexValue.TryGetValue(out int i) ? i : null;
                ips.Add(new CniIpConfig(ip, prefix, gateway, index));
            }
        }

        return new CniResult(version, interfaces, ips, (JsonObject)json.DeepClone());
    }

    // IPNetwork.TryParse rejects host bits ("10.0.0.5/24"), which CNI addresses always have: split by hand.
    private static bool TryParseCidrAddress(string text, out IPAddress address, out int prefix)
    {
        address = IPAddress.None;
        prefix = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && IPAddress.TryParse(text.AsSpan(0, slash), out address!)
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
            && prefix <= (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
    }
}
