using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s.Models;
using NodeAgent.Storage;

namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// The clusterIP and nodePort allocators of Services (upstream pkg/registry/core/service/storage/alloc.go),
/// backed by one store key per taken value: <c>/registry/ranges/serviceips/&lt;ip&gt;</c> and
/// <c>/registry/ranges/servicenodeports/&lt;port&gt;</c>.
/// </summary>
/// <remarks>
/// The keys live outside <c>/registry/services/</c> so that listing services never meets them. The service
/// CIDR's network address (and, for IPv4, its broadcast address) is never handed out, and its first address is
/// left to the <c>kubernetes</c> service: dynamic allocation skips it, an explicit request may take it.
/// </remarks>
public sealed class ServiceAllocations
{
    public const string ClusterIpPrefix = "/registry/ranges/serviceips/";
    public const string NodePortPrefix = "/registry/ranges/servicenodeports/";
    public const int NodePortFirst = 30000;
    public const int NodePortLast = 32767;

    private readonly IPNetwork _cidr;
    private readonly UInt128 _base;
    private readonly bool _ipv6;
    private readonly StoreRangeAllocator _ips;
    private readonly StoreRangeAllocator _nodePorts;

    public ServiceAllocations(IRevisionedStore store, IPNetwork serviceCidr)
    {
        ArgumentNullException.ThrowIfNull(store);
        _cidr = serviceCidr;
        _ipv6 = serviceCidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        _base = ToNumber(serviceCidr.BaseAddress);

        var bits = (_ipv6 ? 128 : 32) - serviceCidr.PrefixLength;

        // Upstream caps large (IPv6) ranges at 2^16 addresses.
        var size = bits >= 16 && _ipv6 ? 1L << 16 : 1L << Math.Min(bits, 62);
        var last = _ipv6 ? size - 1 : size - 2;
        _ips = new StoreRangeAllocator(store, ClusterIpPrefix, 1, last, dynamicFirst: 2, staticBand: RangeOffset(size, 16, 256, 16), FormatIp);

        const long portCount = NodePortLast - NodePortFirst + 1;
        _nodePorts = new StoreRangeAllocator(
            store, NodePortPrefix, NodePortFirst, NodePortLast, NodePortFirst, RangeOffset(portCount, 16, 128, 32),
            p => p.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Reserves what a new Service needs: its clusterIP unless headless, nodePorts for NodePort/LoadBalancer.</summary>
    /// <exception cref="FieldErrorsException">A requested value is taken or out of range, or a range is full.</exception>
    public async Task AllocateAsync(V1Service svc, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(svc);
        var undo = new Allocated(Owner(svc));
        try
        {
            await AllocateClusterIpAsync(svc, undo, ct).ConfigureAwait(false);
            await AllocateNodePortsAsync(svc, except: [], undo, ct).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAllAsync(undo, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Before an update: keeps the allocated values the client left out, allocates what the new spec needs
    /// (a type change to NodePort, a new port, a newly requested nodePort) and frees what it no longer uses.
    /// </summary>
    public async Task ReallocateAsync(V1Service svc, V1Service old, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(svc);
        ArgumentNullException.ThrowIfNull(old);
        ServiceStrategy.PrepareForUpdate(svc, old);
        var owner = Owner(svc);
        var undo = new Allocated(owner);
        try
        {
            if (NeedsClusterIp(svc) && !NeedsClusterIp(old))
            {
                await AllocateClusterIpAsync(svc, undo, ct).ConfigureAwait(false);
            }

            await AllocateNodePortsAsync(svc, except: NodePortsOf(old), undo, ct).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAllAsync(undo, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var stale = new Allocated(owner);
        if (NeedsClusterIp(old) && !NeedsClusterIp(svc) && IpOffset(old.Spec?.ClusterIP) is { } ip)
        {
            stale.Ips.Add(ip);
        }

        stale.NodePorts.AddRange(NodePortsOf(old).Except(NodePortsOf(svc)));
        await ReleaseAllAsync(stale, ct).ConfigureAwait(false);
    }

    /// <summary>Frees everything the Service holds (after its deletion, or when its create failed after admission).</summary>
    public Task ReleaseAsync(V1Service svc, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(svc);
        var held = new Allocated(Owner(svc));
        if (NeedsClusterIp(svc) && IpOffset(svc.Spec?.ClusterIP) is { } ip)
        {
            held.Ips.Add(ip);
        }

        held.NodePorts.AddRange(NodePortsOf(svc));
        return ReleaseAllAsync(held, ct);
    }

    /// <summary>The owner recorded for an allocated IP, or null when it is free (for diagnostics and tests).</summary>
    public Task<string?> IpOwnerAsync(string ip, CancellationToken ct) =>
        IpOffset(ip) is { } offset ? _ips.OwnerAsync(offset, ct) : Task.FromResult<string?>(null);

    /// <summary>
    /// upstream <c>patchAllocatedValues</c>: an update that omits clusterIP, clusterIPs, nodePorts or
    /// healthCheckNodePort keeps the allocated ones (ports matched by name).
    /// </summary>
    public static void PatchAllocatedValues(V1Service svc, V1Service old)
    {
        ArgumentNullException.ThrowIfNull(svc);
        ArgumentNullException.ThrowIfNull(old);
        var spec = svc.Spec ??= new V1ServiceSpec();
        var oldSpec = old.Spec ?? new V1ServiceSpec();
        if (NeedsClusterIp(old) && NeedsClusterIp(svc))
        {
            if (string.IsNullOrEmpty(spec.ClusterIP))
            {
                spec.ClusterIP = oldSpec.ClusterIP;
            }

            if ((spec.ClusterIPs is null || spec.ClusterIPs.Count == 0) && oldSpec.ClusterIPs is { Count: > 0 })
            {
                spec.ClusterIPs = [.. oldSpec.ClusterIPs];
            }
        }

        if (NeedsNodePorts(old) && NeedsNodePorts(svc))
        {
            var used = NodePortsOf(old).Intersect(NodePortsOf(svc)).ToHashSet();
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var port in oldSpec.Ports ?? [])
            {
                byName[port.Name ?? ""] = port.NodePort ?? 0;
            }

            foreach (var port in spec.Ports ?? [])
            {
                if (port.NodePort is null or 0 && byName.TryGetValue(port.Name ?? "", out var previous) && previous != 0 && !used.Contains(previous))
                {
                    port.NodePort = previous;
                }
            }
        }

        if (NeedsHealthCheckNodePort(old) && NeedsHealthCheckNodePort(svc) && spec.HealthCheckNodePort is null or 0)
        {
            spec.HealthCheckNodePort = oldSpec.HealthCheckNodePort;
        }
    }

    private async Task AllocateClusterIpAsync(V1Service svc, Allocated undo, CancellationToken ct)
    {
        var spec = svc.Spec ??= new V1ServiceSpec();
        if (!NeedsClusterIp(svc) || ServiceStrategy.IsHeadless(spec))
        {
            return;
        }

        var requested = spec.ClusterIPs is { Count: > 0 } ips ? ips[0] : spec.ClusterIP;
        if (string.IsNullOrEmpty(requested))
        {
            var offset = await _ips.AllocateNextAsync(undo.Owner, ct).ConfigureAwait(false)
                ?? throw Invalid("spec.clusterIPs", GoValue.StringSlice([]), "failed to allocate a serviceIP: range is full");
            undo.Ips.Add(offset);
            var ip = FormatIp(offset);
            spec.ClusterIP = ip;
            spec.ClusterIPs = [ip];
            return;
        }

        var requestedSlice = GoValue.StringSlice(spec.ClusterIPs ?? [requested]);
        var wanted = IpOffset(requested);
        if (wanted is null || !_ips.Contains(wanted.Value))
        {
            throw Invalid("spec.clusterIPs", requestedSlice,
                $"failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid range. The range of valid IPs is {_cidr}");
        }

        if (!await _ips.TryAllocateAsync(wanted.Value, undo.Owner, ct).ConfigureAwait(false))
        {
            throw Invalid("spec.clusterIPs", requestedSlice, $"failed to allocate IP {requested}: provided IP is already allocated");
        }

        undo.Ips.Add(wanted.Value);
    }

    private async Task AllocateNodePortsAsync(V1Service svc, IReadOnlyCollection<int> except, Allocated undo, CancellationToken ct)
    {
        var spec = svc.Spec ??= new V1ServiceSpec();

        // A load balancer with allocateLoadBalancerNodePorts: false still holds the node ports it asks for.
        var explicitOnly = spec.Type == "LoadBalancer" && !NeedsNodePorts(svc);
        if (NeedsNodePorts(svc) || explicitOnly)
        {
            var ports = spec.Ports ?? [];
            for (var i = 0; i < ports.Count; i++)
            {
                if (explicitOnly && ports[i].NodePort is null or 0)
                {
                    continue;
                }

                ports[i].NodePort = await AllocateNodePortAsync(
                    ports[i].NodePort, CoreValidation.Inv($"spec.ports[{i}].nodePort"), except, undo, ct).ConfigureAwait(false);
            }
        }

        if (NeedsHealthCheckNodePort(svc))
        {
            spec.HealthCheckNodePort = await AllocateNodePortAsync(spec.HealthCheckNodePort, "spec.healthCheckNodePort", except, undo, ct).ConfigureAwait(false);
        }
    }

    private async Task<int> AllocateNodePortAsync(int? requested, string path, IReadOnlyCollection<int> except, Allocated undo, CancellationToken ct)
    {
        if (requested is null or 0)
        {
            var offset = await _nodePorts.AllocateNextAsync(undo.Owner, ct).ConfigureAwait(false)
                ?? throw Invalid(path, 0, "failed to allocate a nodePort: range is full");
            undo.NodePorts.Add((int)offset);
            return (int)offset;
        }

        var port = requested.Value;

        // Already this service's (kept on update), or shared by a TCP and a UDP port of this service.
        if (except.Contains(port) || undo.NodePorts.Contains(port))
        {
            return port;
        }

        if (!_nodePorts.Contains(port))
        {
            throw Invalid(path, port, $"provided port is not in the valid range. The range of valid ports is {NodePortFirst}-{NodePortLast}");
        }

        if (!await _nodePorts.TryAllocateAsync(port, undo.Owner, ct).ConfigureAwait(false))
        {
            throw Invalid(path, port, "provided port is already allocated");
        }

        undo.NodePorts.Add(port);
        return port;
    }

    private async Task ReleaseAllAsync(Allocated held, CancellationToken ct)
    {
        foreach (var ip in held.Ips)
        {
            await _ips.ReleaseAsync(ip, held.Owner, ct).ConfigureAwait(false);
        }

        foreach (var port in held.NodePorts.Distinct())
        {
            await _nodePorts.ReleaseAsync(port, held.Owner, ct).ConfigureAwait(false);
        }
    }

    private static bool NeedsClusterIp(V1Service svc) => svc.Spec?.Type is "ClusterIP" or "NodePort" or "LoadBalancer" or null or "";

    private static bool NeedsNodePorts(V1Service svc) =>
        svc.Spec?.Type == "NodePort" || (svc.Spec?.Type == "LoadBalancer" && svc.Spec.AllocateLoadBalancerNodePorts != false);

    private static bool NeedsHealthCheckNodePort(V1Service svc) =>
        svc.Spec?.Type == "LoadBalancer" && svc.Spec.ExternalTrafficPolicy == "Local";

    private static List<int> NodePortsOf(V1Service svc)
    {
        var ports = (svc.Spec?.Ports ?? []).Select(p => p.NodePort ?? 0).Where(p => p != 0).ToList();
        if (svc.Spec?.HealthCheckNodePort is { } hc and not 0)
        {
            ports.Add(hc);
        }

        return ports;
    }

    private static string Owner(V1Service svc) => $"{svc.Metadata?.NamespaceProperty}/{svc.Metadata?.Name}";

    private static FieldErrorsException Invalid(string path, object value, string detail) =>
        new([new FieldError(FieldErrorType.Invalid, path, detail, value)]);

    /// <summary>upstream <c>calculateRangeOffset</c>: the size of the static band.</summary>
    private static long RangeOffset(long size, long min, long max, long step)
    {
        if (size <= min)
        {
            return 0;
        }

        return Math.Clamp(size / step, min, max);
    }

    /// <summary>The offset of <paramref name="ip"/> in the CIDR, or null when it is no IP of the CIDR's family or lies outside it.</summary>
    private long? IpOffset(string? ip)
    {
        var address = CoreValidation.ParseIp(ip);
        if (address is null || !_cidr.Contains(address))
        {
            return null;
        }

        var offset = ToNumber(address) - _base;
        return offset > long.MaxValue ? null : (long)offset;
    }

    private string FormatIp(long offset)
    {
        var value = _base + (UInt128)offset;
        var bytes = new byte[_ipv6 ? 16 : 4];
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }

        return new IPAddress(bytes).ToString();
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        UInt128 value = 0;
        foreach (var b in address.GetAddressBytes())
        {
            value = (value << 8) | b;
        }

        return value;
    }

    /// <summary>What one request took, to undo it when a later step fails.</summary>
    private sealed class Allocated(string owner)
    {
        public string Owner { get; } = owner;

        public List<long> Ips { get; } = [];

        public List<int> NodePorts { get; } = [];
    }
}
