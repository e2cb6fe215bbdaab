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

    private static readonly string[] ServiceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] SessionAffinities = ["ClientIP", "None"];
    private static readonly string[] IpFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
    private static readonly string[] TrafficPolicies = ["Cluster", "Local"];

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

        if (spec.SessionAffinity == "ClientIP")
        {
            spec.SessionAffinityConfig ??= new V1SessionAffinityConfig();
            spec.SessionAffinityConfig.ClientIP ??= new V1ClientIPConfig();
            spec.SessionAffinityConfig.ClientIP.TimeoutSeconds ??= 10800;
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

        if (spec.Type is "NodePort" or "LoadBalancer" && string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
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
        }

        if (spec.Type != "ExternalName")
        {
            DefaultClusterIpsAndFamilies(spec);
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
        var errors = new List<FieldError>();
        var name = obj.Metadata?.Name ?? "";
        if (name.Length > 0)
        {
            errors.AddRange(CoreValidation.Dns1035Label(name).Select(m => new FieldError(FieldErrorType.Invalid, "metadata.name", m, name)));
        }

        var spec = obj.Spec ?? new V1ServiceSpec();
        var ports = spec.Ports ?? [];
        var headless = IsHeadless(spec);
        var type = spec.Type ?? "";

        if (ports.Count == 0 && !headless && type != "ExternalName")
        {
            errors.Add(new FieldError(FieldErrorType.Required, "spec.ports"));
        }

        if (!ServiceTypes.Contains(type))
        {
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.type", CoreValidation.SupportedValues(ServiceTypes), type));
        }

        errors.AddRange(ValidateTypeSpecific(spec, type, headless));
        errors.AddRange(ValidateClusterIps(spec));

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            errors.AddRange(ValidatePort(ports[i], ports.Count > 1, names, CoreValidation.Inv($"spec.ports[{i}]")));
        }

        errors.AddRange(ValidateNodePorts(ports, type));
        errors.AddRange(ValidateDuplicatePorts(ports));
        errors.AddRange(CoreValidation.Labels(spec.Selector, "spec.selector"));

        if (!SessionAffinities.Contains(spec.SessionAffinity ?? ""))
        {
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.sessionAffinity", CoreValidation.SupportedValues(SessionAffinities), spec.SessionAffinity ?? ""));
        }

        if (spec.IpFamilyPolicy is { } policy && !IpFamilyPolicies.Contains(policy))
        {
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.ipFamilyPolicy", CoreValidation.SupportedValues(IpFamilyPolicies), policy));
        }

        if (spec.ExternalTrafficPolicy is { Length: > 0 } etp && !TrafficPolicies.Contains(etp))
        {
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.externalTrafficPolicy", CoreValidation.SupportedValues(TrafficPolicies), etp));
        }

        if (spec.InternalTrafficPolicy is { Length: > 0 } itp && !TrafficPolicies.Contains(itp))
        {
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.internalTrafficPolicy", CoreValidation.SupportedValues(TrafficPolicies), itp));
        }

        var externalIps = spec.ExternalIPs ?? [];
        for (var i = 0; i < externalIps.Count; i++)
        {
            if (!CoreValidation.IsValidIp(externalIps[i]))
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"spec.externalIPs[{i}]"), CoreValidation.InvalidIpMessage, externalIps[i]));
            }
        }

        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1Service obj, V1Service old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);

        // The contract has no update preparation hook, so upstream's PrepareForUpdate/beginUpdate work happens here,
        // before the checks (and again, idempotently, in AdmitUpdateAsync).
        PrepareForUpdate(obj, old);
        var errors = ValidateCreate(obj).ToList();

        var oldType = old.Spec?.Type ?? "";
        var newType = obj.Spec?.Type ?? "";
        var oldIps = old.Spec?.ClusterIPs ?? [];
        var newIps = obj.Spec?.ClusterIPs ?? [];
        if (oldType != "ExternalName" && newType != "ExternalName" && oldIps.Count > 0)
        {
            if (newIps.Count == 0)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, "spec.clusterIPs[0]", "primary clusterIP can not be unset", GoValue.StringSlice(newIps)));
            }
            else if (!string.Equals(oldIps[0], newIps[0], StringComparison.Ordinal))
            {
                // Upstream words the primary clusterIP's immutability this way (not "field is immutable").
                errors.Add(new FieldError(FieldErrorType.Invalid, "spec.clusterIPs[0]", "may not change once set", GoValue.StringSlice(newIps)));
            }
        }

        return errors;
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

    internal static bool IsHeadless(V1ServiceSpec spec) =>
        spec.ClusterIP == ClusterIpNone || spec.ClusterIPs is { Count: > 0 } ips && ips[0] == ClusterIpNone;

    private void DefaultClusterIpsAndFamilies(V1ServiceSpec spec)
    {
        if ((spec.ClusterIPs is null || spec.ClusterIPs.Count == 0) && !string.IsNullOrEmpty(spec.ClusterIP))
        {
            spec.ClusterIPs = [spec.ClusterIP];
        }
        else if (string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIPs is { Count: > 0 } ips)
        {
            spec.ClusterIP = ips[0];
        }

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

    private static IEnumerable<FieldError> ValidateTypeSpecific(V1ServiceSpec spec, string type, bool headless)
    {
        switch (type)
        {
            case "LoadBalancer" or "NodePort" when headless:
                yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs[0]", $"may not be set to 'None' for {type} services", ClusterIpNone);
                break;
            case "ExternalName":
                if (spec.ClusterIPs is { Count: > 0 } || !string.IsNullOrEmpty(spec.ClusterIP))
                {
                    yield return new FieldError(FieldErrorType.Forbidden, "spec.clusterIPs", "may not be set for ExternalName services");
                }

                // A trailing dot marks the name as fully qualified.
                var externalName = (spec.ExternalName ?? "").TrimEnd('.');
                if (externalName.Length == 0)
                {
                    yield return new FieldError(FieldErrorType.Required, "spec.externalName");
                }
                else
                {
                    foreach (var message in CoreValidation.Dns1123Subdomain(externalName))
                    {
                        yield return new FieldError(FieldErrorType.Invalid, "spec.externalName", message, externalName);
                    }
                }

                break;
        }
    }

    private static IEnumerable<FieldError> ValidateClusterIps(V1ServiceSpec spec)
    {
        var ips = spec.ClusterIPs ?? [];
        if (!string.IsNullOrEmpty(spec.ClusterIP) && ips.Count > 0 && ips[0] != spec.ClusterIP)
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs", "first value must match `clusterIP`", GoValue.StringSlice(ips));
        }

        for (var i = 0; i < ips.Count; i++)
        {
            if (ips[i] == ClusterIpNone)
            {
                if (i > 0 || ips.Count > 1)
                {
                    yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs", "'None' must be the first and only value", GoValue.StringSlice(ips));
                }

                continue;
            }

            if (!CoreValidation.IsValidIp(ips[i]))
            {
                yield return new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"spec.clusterIPs[{i}]"), CoreValidation.InvalidIpMessage, ips[i]);
            }
        }
    }

    private static IEnumerable<FieldError> ValidatePort(V1ServicePort port, bool requireName, HashSet<string> names, string path)
    {
        var name = port.Name ?? "";
        if (requireName && name.Length == 0)
        {
            yield return new FieldError(FieldErrorType.Required, path + ".name");
        }
        else if (name.Length > 0)
        {
            foreach (var message in CoreValidation.Dns1123Label(name))
            {
                yield return new FieldError(FieldErrorType.Invalid, path + ".name", message, name);
            }

            if (!names.Add(name))
            {
                yield return new FieldError(FieldErrorType.Duplicate, path + ".name", BadValue: name);
            }
        }

        if (!CoreValidation.IsValidPort(port.Port))
        {
            yield return new FieldError(FieldErrorType.Invalid, path + ".port", CoreValidation.PortRangeMessage, port.Port);
        }

        var protocol = port.Protocol ?? "";
        if (protocol.Length == 0)
        {
            yield return new FieldError(FieldErrorType.Required, path + ".protocol");
        }
        else if (!Protocols.Contains(protocol))
        {
            yield return new FieldError(FieldErrorType.NotSupported, path + ".protocol", CoreValidation.SupportedValues(Protocols), protocol);
        }

        foreach (var error in ValidatePortNumberOrName(port.TargetPort?.Value, path + ".targetPort"))
        {
            yield return error;
        }

        if (port.NodePort is { } nodePort && nodePort != 0 && !CoreValidation.IsValidPort(nodePort))
        {
            yield return new FieldError(FieldErrorType.Invalid, path + ".nodePort", CoreValidation.PortRangeMessage, nodePort);
        }
    }

    /// <summary>upstream <c>ValidatePortNumOrName</c>.</summary>
    internal static IEnumerable<FieldError> ValidatePortNumberOrName(string? value, string path)
    {
        if (value is null)
        {
            yield break;
        }

        if (int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            if (!CoreValidation.IsValidPort(number))
            {
                yield return new FieldError(FieldErrorType.Invalid, path, CoreValidation.PortRangeMessage, number);
            }

            yield break;
        }

        foreach (var message in CoreValidation.PortName(value))
        {
            yield return new FieldError(FieldErrorType.Invalid, path, message, value);
        }
    }

    private static IEnumerable<FieldError> ValidateNodePorts(IList<V1ServicePort> ports, string type)
    {
        var seen = new HashSet<(string?, int)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].NodePort is not { } nodePort || nodePort == 0)
            {
                continue;
            }

            var path = CoreValidation.Inv($"spec.ports[{i}].nodePort");
            if (type == "ClusterIP")
            {
                yield return new FieldError(FieldErrorType.Forbidden, path, "may not be used when `type` is 'ClusterIP'");
            }

            if (!seen.Add((ports[i].Protocol, nodePort)))
            {
                yield return new FieldError(FieldErrorType.Duplicate, path, BadValue: nodePort);
            }
        }
    }

    private static IEnumerable<FieldError> ValidateDuplicatePorts(IList<V1ServicePort> ports)
    {
        var seen = new HashSet<(string?, int)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (!seen.Add((ports[i].Protocol, ports[i].Port)))
            {
                // Upstream reports the (protocol, port) key as a Go struct literal.
                var key = new GoValue(CoreValidation.Inv(
                    $"core.ServicePort{{Name:\"\", Protocol:\"{ports[i].Protocol}\", AppProtocol:(*string)(nil), Port:{ports[i].Port}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}"));
                yield return new FieldError(FieldErrorType.Duplicate, CoreValidation.Inv($"spec.ports[{i}]"), BadValue: key);
            }
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
