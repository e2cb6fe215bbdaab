using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace NodeAgent.Api.Security;

/// <summary>The subject alternative names the serving certificate must carry.</summary>
public sealed record ServingCertificateNames(IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> IpAddresses)
{
    /// <summary>The names in-cluster clients use for the API (upstream's apiserver adds the same).</summary>
    public static readonly IReadOnlyList<string> KubernetesServiceNames =
    [
        "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
    ];

    /// <summary>
    /// Loopback names, the node name, the service names, the bind address when it is a specific one
    /// (a wildcard says nothing about how clients reach us) and the first service IP (the
    /// <c>kubernetes</c> Service's clusterIP).
    /// </summary>
    public static ServingCertificateNames For(string nodeName, IPAddress bindAddress, IPNetwork serviceCidr)
    {
        ArgumentNullException.ThrowIfNull(bindAddress);
        var dns = new List<string> { "localhost" };
        if (!string.IsNullOrWhiteSpace(nodeName))
        {
            dns.Add(nodeName.ToLowerInvariant());
        }

        dns.AddRange(KubernetesServiceNames);
        var ips = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        if (!bindAddress.Equals(IPAddress.Any) && !bindAddress.Equals(IPAddress.IPv6Any))
        {
            ips.Add(bindAddress);
        }

        ips.Add(FirstServiceIp(serviceCidr));
        return new ServingCertificateNames(
            dns.Distinct(StringComparer.Ordinal).ToList(),
            ips.Distinct().ToList());
    }

    /// <summary>The network address plus one, e.g. 10.67.0.1 for 10.67.0.0/16.</summary>
    public static IPAddress FirstServiceIp(IPNetwork serviceCidr)
    {
        var bytes = serviceCidr.BaseAddress.GetAddressBytes();
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true) + 1;
        var next = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[bytes.Length];
        next.CopyTo(padded, padded.Length - next.Length);
        return new IPAddress(padded);
    }

    /// <summary>Same names regardless of order (and of how an address was spelled).</summary>
    public bool SameAs(IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses)
        => DnsNames.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(dnsNames)
           && IpAddresses.Select(Normalize).ToHashSet().SetEquals(ipAddresses.Select(Normalize));

    private static IPAddress Normalize(IPAddress address)
        => address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
