using System.Net.Sockets;
using k8s.Models;

namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// core/v1 Service: defaulting (pkg/apis/core/v1/defaults.go plus the registry's IP family and clusterIPs
/// normalisation), validation (ValidateService/ValidateServiceUpdate), the printer columns, and clusterIP /
/// nodePort allocation through <see cref="ServiceAllocations"/>.
/// </summary>
public sealed class ServiceStrategy : ResourceStrategy<V1Service>, IAsyncAdmission
{
    public const string ClusterIpNone = "None";


    private readonly ResourceContext _context;
    private readonly ServiceAllocations _allocations;

    public ServiceStrategy(ResourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _allocations = new ServiceAllocations(context.Store, context.ServiceCidr);
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Type", "string", "type determines how the Service is exposed."),
        new("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
        new("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        new("Port(s)", "string", "The list of ports that are exposed by this service."),
        AgeColumn,
        new("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", Priority: 1),
    ];

    private string DefaultFamily =>
        _context.ServiceCidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";

    public override void ApplyDefaults(V1Service obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Spec ??= new V1ServiceSpec();
        if (string.IsNullOrEmpty(spec.Type))
        {
            spec.Type = "ClusterIP";
        }

        if (string.IsNullOrEmpty(spec.SessionAffinity))
        {
            spec.SessionAffinity = "None";
        }

        if (spec.SessionAffinity == "None")
        {
            spec.SessionAffinityConfig = null;
        }
        else if (spec.SessionAffinity == "ClientIP" && spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds is null)
        {
            spec.SessionAffinityConfig = new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = 10800 } };
        }

        foreach (var port in spec.Ports ?? [])
        {
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }

            if (port.TargetPort is null || port.TargetPort.Value is null or "" or "0")
            {
                port.TargetPort = port.Port;
            }
        }

        if (ServiceValidation.ExternallyAccessible(spec) && string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
        {
            spec.ExternalTrafficPolicy = "Cluster";
        }

        if (spec.Type is "ClusterIP" or "NodePort" or "LoadBalancer" && string.IsNullOrEmpty(spec.InternalTrafficPolicy))
        {
            spec.InternalTrafficPolicy = "Cluster";
        }

        if (spec.Type == "LoadBalancer")
        {
            spec.AllocateLoadBalancerNodePorts ??= true;

            // LoadBalancerIPMode is on by default in 1.32: an ingress IP without a mode is a VIP.
            foreach (var ingress in obj.Status?.LoadBalancer?.Ingress ?? [])
            {
                if (!string.IsNullOrEmpty(ingress.Ip) && ingress.IpMode is null)
                {
                    ingress.IpMode = "VIP";
                }
            }
        }

        SyncClusterIps(spec);
        if (spec.Type != "ExternalName")
        {
            DefaultIpFamilies(spec);
        }
    }

    public override void PrepareForCreate(V1Service obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        // A Go zero ServiceStatus still serialises its loadBalancer struct: "status": {"loadBalancer": {}}.
        obj.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus() };
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1Service obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return ServiceValidation.Validate(obj);
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1Service obj, V1Service old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);

        // The contract has no update preparation hook, so upstream's PrepareForUpdate/beginUpdate work happens here,
        // before the checks (and again, idempotently, in AdmitUpdateAsync).
        PrepareForUpdate(obj, old);
        return ServiceValidation.ValidateUpdate(obj, old);
    }

    public override IReadOnlyList<object?> Cells(V1Service obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Spec ?? new V1ServiceSpec();
        var clusterIp = spec.ClusterIPs is { Count: > 0 } ips ? ips[0] : "<none>";
        var ports = PortString(spec.Ports);
        return
        [
            obj.Metadata?.Name,
            spec.Type ?? "",
            clusterIp,
            ExternalIp(obj),
            ports.Length == 0 ? "<none>" : ports,
            TableFormat.Age(obj.Metadata?.CreationTimestamp, now),
            FormatLabels(spec.Selector),
        ];
    }

    public Task AdmitCreateAsync(object obj, CancellationToken ct) => _allocations.AllocateAsync((V1Service)obj, ct);

    public Task AdmitUpdateAsync(object obj, object old, CancellationToken ct) =>
        _allocations.ReallocateAsync((V1Service)obj, (V1Service)old, ct);

    public Task ReleaseAsync(object obj, CancellationToken ct) => _allocations.ReleaseAsync((V1Service)obj, ct);

    /// <summary>
    /// What upstream does to an updated Service before validating it: keep the allocated values the client left
    /// out (<c>patchAllocatedValues</c>, so an apply or replace of a manifest without clusterIP/nodePort is no
    /// change), then drop the values the new type no longer uses if the client left them as they were
    /// (<c>dropTypeDependentFields</c>, so NodePort → ClusterIP works with the server-set nodePorts still there).
    /// Idempotent.
    /// </summary>
    public static void PrepareForUpdate(V1Service svc, V1Service old)
    {
        ArgumentNullException.ThrowIfNull(svc);
        ArgumentNullException.ThrowIfNull(old);
        ServiceAllocations.PatchAllocatedValues(svc, old);
        DropTypeDependentFields(svc, old);
    }

    /// <summary>upstream <c>makePortString</c>: <c>80/TCP</c>, or <c>80:30080/TCP</c> with a node port.</summary>
    public static string PortString(IEnumerable<V1ServicePort>? ports) =>
        string.Join(",", (ports ?? []).Select(p => p.NodePort is > 0
            ? CoreValidation.Inv($"{p.Port}:{p.NodePort}/{p.Protocol}")
            : CoreValidation.Inv($"{p.Port}/{p.Protocol}")));

    /// <summary>upstream <c>labels.FormatLabels</c>: sorted <c>k=v</c> pairs, or <c>&lt;none&gt;</c>.</summary>
    public static string FormatLabels(IDictionary<string, string>? labels) =>
        labels is null || labels.Count == 0
            ? "<none>"
            : string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static void DropTypeDependentFields(V1Service svc, V1Service old)
    {
        var spec = svc.Spec ??= new V1ServiceSpec();
        var oldSpec = old.Spec ?? new V1ServiceSpec();
        if (NeedsClusterIp(oldSpec) && !NeedsClusterIp(spec))
        {
            if (spec.ClusterIP == oldSpec.ClusterIP && (spec.ClusterIPs ?? []).SequenceEqual(oldSpec.ClusterIPs ?? []))
            {
                spec.ClusterIP = null;
                spec.ClusterIPs = null;
            }

            if ((spec.IpFamilies ?? []).SequenceEqual(oldSpec.IpFamilies ?? []))
            {
                spec.IpFamilies = null;
            }

            if (spec.IpFamilyPolicy == oldSpec.IpFamilyPolicy)
            {
                spec.IpFamilyPolicy = null;
            }
        }

        if (NeedsNodePorts(oldSpec) && !NeedsNodePorts(spec) && NodePorts(oldSpec).IsSupersetOf(NodePorts(spec)))
        {
            foreach (var port in spec.Ports ?? [])
            {
                port.NodePort = null;
            }
        }

        if (NeedsHealthCheckNodePort(oldSpec) && !NeedsHealthCheckNodePort(spec) && spec.HealthCheckNodePort == oldSpec.HealthCheckNodePort)
        {
            spec.HealthCheckNodePort = null;
        }

        if (oldSpec.Type == "LoadBalancer" && spec.Type != "LoadBalancer")
        {
            if (spec.AllocateLoadBalancerNodePorts is not null && spec.AllocateLoadBalancerNodePorts == oldSpec.AllocateLoadBalancerNodePorts)
            {
                spec.AllocateLoadBalancerNodePorts = null;
            }

            if (spec.LoadBalancerClass == oldSpec.LoadBalancerClass)
            {
                spec.LoadBalancerClass = null;
            }
        }

        if (NeedsNodePorts(oldSpec) && !NeedsNodePorts(spec) && spec.ExternalTrafficPolicy == oldSpec.ExternalTrafficPolicy)
        {
            spec.ExternalTrafficPolicy = null;
        }

        if (spec.Type != "LoadBalancer" && svc.Status is not null)
        {
            svc.Status.LoadBalancer = new V1LoadBalancerStatus();
        }
    }

    private static bool NeedsClusterIp(V1ServiceSpec spec) => spec.Type != "ExternalName";

    private static bool NeedsNodePorts(V1ServiceSpec spec) => spec.Type is "NodePort" or "LoadBalancer";

    private static bool NeedsHealthCheckNodePort(V1ServiceSpec spec) => spec.Type == "LoadBalancer" && spec.ExternalTrafficPolicy == "Local";

    private static HashSet<int> NodePorts(V1ServiceSpec spec) =>
        (spec.Ports ?? []).Select(p => p.NodePort ?? 0).Where(p => p != 0).ToHashSet();

    internal static bool IsHeadless(V1ServiceSpec spec) => ServiceValidation.IsHeadless(spec);

    /// <summary>upstream <c>NormalizeClusterIPs</c>: a client may set either clusterIP or clusterIPs.</summary>
    private static void SyncClusterIps(V1ServiceSpec spec)
    {
        if ((spec.ClusterIPs is null || spec.ClusterIPs.Count == 0) && !string.IsNullOrEmpty(spec.ClusterIP))
        {
            spec.ClusterIPs = [spec.ClusterIP];
        }
        else if (string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIPs is { Count: > 0 } ips)
        {
            spec.ClusterIP = ips[0];
        }
    }

    private void DefaultIpFamilies(V1ServiceSpec spec)
    {
        var headlessWithoutSelector = IsHeadless(spec) && (spec.Selector is null || spec.Selector.Count == 0);
        spec.IpFamilyPolicy ??= headlessWithoutSelector ? "RequireDualStack" : "SingleStack";
        if (spec.IpFamilies is null || spec.IpFamilies.Count == 0)
        {
            var first = spec.ClusterIPs is { Count: > 0 } given && CoreValidation.ParseIp(given[0]) is { } ip
                ? (ip.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")
                : DefaultFamily;
            spec.IpFamilies = [first];
        }

        // Upstream treats selector-less headless services as dual-stack where the policy allows it.
        if (headlessWithoutSelector && spec.IpFamilies.Count == 1 && spec.IpFamilyPolicy != "SingleStack")
        {
            spec.IpFamilies.Add(spec.IpFamilies[0] == "IPv4" ? "IPv6" : "IPv4");
        }
    }

    /// <summary>upstream <c>getServiceExternalIP</c> (the non-wide form clips load balancer addresses to 16 characters).</summary>
    private static string ExternalIp(V1Service svc)
    {
        var externalIps = svc.Spec?.ExternalIPs ?? [];
        switch (svc.Spec?.Type)
        {
            case "ClusterIP" or "NodePort":
                return externalIps.Count > 0 ? string.Join(",", externalIps) : "<none>";
            case "LoadBalancer":
                var ingress = (svc.Status?.LoadBalancer?.Ingress ?? [])
                    .Select(i => !string.IsNullOrEmpty(i.Ip) ? i.Ip : i.Hostname)
                    .Where(s => !string.IsNullOrEmpty(s))
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (externalIps.Count > 0)
                {
                    return string.Join(",", ingress.Concat(externalIps));
                }

                return ingress.Count > 0 ? string.Join(",", ingress) : "<pending>";
            case "ExternalName":
                return svc.Spec.ExternalName ?? "";
            default:
                return "<unknown>";
        }
    }
}
