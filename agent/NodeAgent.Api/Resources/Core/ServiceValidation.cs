using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// upstream <c>ValidateService</c> and <c>ValidateServiceUpdate</c> (pkg/apis/core/validation), in upstream's
/// order, for a Service that has been defaulted (clusterIP and clusterIPs in sync).
/// </summary>
internal static class ServiceValidation
{
    private const string LoadBalancerOnly = "may only be used when `type` is 'LoadBalancer'";
    private const string NotForExternalName = "may not be set for ExternalName services";
    private const int MaxClientIpAffinitySeconds = 86400;

    private static readonly string[] ServiceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] SessionAffinities = ["ClientIP", "None"];
    private static readonly string[] IpFamilies = ["IPv4", "IPv6"];
    private static readonly string[] IpFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
    private static readonly string[] TrafficPolicies = ["Cluster", "Local"];

    public static List<FieldError> Validate(V1Service svc)
    {
        var errors = new List<FieldError>();
        var name = svc.Metadata?.Name ?? "";
        if (name.Length > 0)
        {
            errors.AddRange(CoreValidation.Dns1035Label(name).Select(m => new FieldError(FieldErrorType.Invalid, "metadata.name", m, name)));
        }

        var spec = svc.Spec ?? new V1ServiceSpec();
        var ports = spec.Ports ?? [];
        var type = spec.Type ?? "";
        var headless = IsHeadless(spec);
        if (ports.Count == 0 && !headless && type != "ExternalName")
        {
            errors.Add(new FieldError(FieldErrorType.Required, "spec.ports"));
        }

        errors.AddRange(TypeSpecific(spec, type, headless));

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            errors.AddRange(Port(ports[i], ports.Count > 1, names, CoreValidation.Inv($"spec.ports[{i}]")));
        }

        errors.AddRange(CoreValidation.Labels(spec.Selector, "spec.selector"));
        errors.AddRange(SessionAffinity(spec));
        errors.AddRange(ClusterIpsRelatedFields(spec, type, headless));
        errors.AddRange(ExternalIps(spec.ExternalIPs ?? []));

        if (type.Length == 0)
        {
            errors.Add(new FieldError(FieldErrorType.Required, "spec.type"));
        }
        else if (!ServiceTypes.Contains(type))
        {
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.type", CoreValidation.SupportedValues(ServiceTypes), type));
        }

        errors.AddRange(NodePorts(ports, type));
        errors.AddRange(DuplicatePorts(ports));
        errors.AddRange(LoadBalancerFields(spec, type));
        errors.AddRange(ExternalTrafficPolicy(spec));

        if (spec.InternalTrafficPolicy is { } itp && !TrafficPolicies.Contains(itp))
        {
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.internalTrafficPolicy", CoreValidation.SupportedValues(TrafficPolicies), itp));
        }

        return errors;
    }

    public static List<FieldError> ValidateUpdate(V1Service svc, V1Service old)
    {
        var errors = UpgradeDowngradeClusterIps(old.Spec ?? new V1ServiceSpec(), svc.Spec ?? new V1ServiceSpec()).ToList();
        if (NeedsHealthCheck(old.Spec) && NeedsHealthCheck(svc.Spec) && svc.Spec?.HealthCheckNodePort != old.Spec?.HealthCheckNodePort)
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.healthCheckNodePort", "field is immutable"));
        }

        errors.AddRange(Validate(svc));
        return errors;
    }

    /// <summary>upstream <c>isHeadlessService</c>: clusterIPs is exactly ["None"].</summary>
    public static bool IsHeadless(V1ServiceSpec spec) =>
        spec.ClusterIPs is { Count: 1 } ips ? ips[0] == ServiceStrategy.ClusterIpNone : spec.ClusterIP == ServiceStrategy.ClusterIpNone;

    /// <summary>upstream <c>ExternallyAccessible</c>: NodePort, LoadBalancer, or ClusterIP with external IPs.</summary>
    public static bool ExternallyAccessible(V1ServiceSpec spec) =>
        spec.Type is "NodePort" or "LoadBalancer" || (spec.Type == "ClusterIP" && spec.ExternalIPs is { Count: > 0 });

    public static bool NeedsHealthCheck(V1ServiceSpec? spec) => spec?.Type == "LoadBalancer" && spec.ExternalTrafficPolicy == "Local";

    /// <summary>upstream <c>ValidatePortNumOrName</c>.</summary>
    public static IEnumerable<FieldError> PortNumberOrName(string? value, string path)
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

    private static IEnumerable<FieldError> TypeSpecific(V1ServiceSpec spec, string type, bool headless)
    {
        switch (type)
        {
            case "LoadBalancer" or "NodePort" when headless:
                yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs[0]", $"may not be set to 'None' for {type} services", ServiceStrategy.ClusterIpNone);
                break;
            case "ExternalName":
                if (spec.ClusterIPs is { Count: > 0 })
                {
                    yield return new FieldError(FieldErrorType.Forbidden, "spec.clusterIPs", NotForExternalName);
                }

                if (spec.IpFamilies is { Count: > 0 })
                {
                    yield return new FieldError(FieldErrorType.Forbidden, "spec.ipFamilies", NotForExternalName);
                }

                if (spec.IpFamilyPolicy is not null)
                {
                    yield return new FieldError(FieldErrorType.Forbidden, "spec.ipFamilyPolicy", NotForExternalName);
                }

                // A trailing dot marks the name as fully qualified.
                var externalName = (spec.ExternalName ?? "").TrimEnd('.');
                if (externalName.Length == 0)
                {
                    yield return new FieldError(FieldErrorType.Required, "spec.externalName");
                }

                foreach (var message in externalName.Length > 0 ? CoreValidation.Dns1123Subdomain(externalName) : [])
                {
                    yield return new FieldError(FieldErrorType.Invalid, "spec.externalName", message, externalName);
                }

                break;
        }
    }

    /// <summary>upstream <c>validateServicePort</c>.</summary>
    private static IEnumerable<FieldError> Port(V1ServicePort port, bool requireName, HashSet<string> names, string path)
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

        foreach (var error in PortNumberOrName(port.TargetPort?.Value, path + ".targetPort"))
        {
            yield return error;
        }

        if (port.AppProtocol is { } appProtocol)
        {
            foreach (var message in CoreValidation.QualifiedName(appProtocol))
            {
                yield return new FieldError(FieldErrorType.Invalid, path + ".appProtocol", message, appProtocol);
            }
        }
    }

    private static IEnumerable<FieldError> SessionAffinity(V1ServiceSpec spec)
    {
        var affinity = spec.SessionAffinity ?? "";
        if (affinity.Length == 0)
        {
            yield return new FieldError(FieldErrorType.Required, "spec.sessionAffinity");
        }
        else if (!SessionAffinities.Contains(affinity))
        {
            yield return new FieldError(FieldErrorType.NotSupported, "spec.sessionAffinity", CoreValidation.SupportedValues(SessionAffinities), affinity);
        }

        if (affinity == "ClientIP")
        {
            const string when = "when session affinity type is ClientIP";
            if (spec.SessionAffinityConfig is null)
            {
                yield return new FieldError(FieldErrorType.Required, "spec.sessionAffinityConfig", when);
            }
            else if (spec.SessionAffinityConfig.ClientIP is null)
            {
                yield return new FieldError(FieldErrorType.Required, "spec.sessionAffinityConfig.clientIP", when);
            }
            else if (spec.SessionAffinityConfig.ClientIP.TimeoutSeconds is not { } timeout)
            {
                yield return new FieldError(FieldErrorType.Required, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", when);
            }
            else if (timeout is <= 0 or > MaxClientIpAffinitySeconds)
            {
                yield return new FieldError(
                    FieldErrorType.Invalid, "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    CoreValidation.Inv($"must be greater than 0 and less than {MaxClientIpAffinitySeconds}"), timeout);
            }
        }
        else if (affinity == "None" && spec.SessionAffinityConfig is not null)
        {
            yield return new FieldError(FieldErrorType.Forbidden, "spec.sessionAffinityConfig", "must not be set when session affinity is None");
        }
    }

    /// <summary>upstream <c>ValidateServiceClusterIPsRelatedFields</c>.</summary>
    private static IEnumerable<FieldError> ClusterIpsRelatedFields(V1ServiceSpec spec, string type, bool headless)
    {
        if (type == "ExternalName")
        {
            yield break;
        }

        var ips = spec.ClusterIPs ?? [];
        var ipsValue = GoValue.StringSlice(ips);
        if (!string.IsNullOrEmpty(spec.ClusterIP))
        {
            if (ips.Count == 0)
            {
                yield return new FieldError(FieldErrorType.Required, "spec.clusterIPs");
            }
            else if (ips[0] != spec.ClusterIP)
            {
                yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs", "first value must match `clusterIP`", ipsValue);
            }
        }
        else if (ips.Count > 0)
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs", "must be empty when `clusterIP` is not specified", ipsValue);
        }

        var families = spec.IpFamilies ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < families.Count; i++)
        {
            var path = CoreValidation.Inv($"spec.ipFamilies[{i}]");
            if (!IpFamilies.Contains(families[i]))
            {
                yield return new FieldError(FieldErrorType.NotSupported, path, CoreValidation.SupportedValues(IpFamilies), families[i]);
            }

            if (!seen.Add(families[i]))
            {
                yield return new FieldError(FieldErrorType.Duplicate, path, BadValue: families[i]);
            }
        }

        if (spec.IpFamilyPolicy is { } policy && !IpFamilyPolicies.Contains(policy))
        {
            yield return new FieldError(FieldErrorType.NotSupported, "spec.ipFamilyPolicy", CoreValidation.SupportedValues(IpFamilyPolicies), policy);
        }

        var invalid = false;
        for (var i = 0; i < ips.Count; i++)
        {
            if (i == 0 && ips[i] == ServiceStrategy.ClusterIpNone)
            {
                if (ips.Count > 1)
                {
                    invalid = true;
                    yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs", "'None' must be the first and only value", ipsValue);
                }

                continue;
            }

            if (!CoreValidation.IsValidIp(ips[i]))
            {
                invalid = true;
                yield return new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"spec.clusterIPs[{i}]"), CoreValidation.InvalidIpMessage, ips[i]);
            }
        }

        if (ips.Count > 2)
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs", "may only hold up to 2 values", ipsValue);
        }

        // Upstream stops here when an address is malformed: the family checks would only add noise.
        if (invalid)
        {
            yield break;
        }

        if (ips.Count > 1 && ips.Select(ip => IPAddress.Parse(ip).AddressFamily).Distinct().Count() != ips.Count)
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs", "may specify no more than one IP for each IP family", ipsValue);
        }

        if (!headless)
        {
            for (var i = 0; i < Math.Min(ips.Count, families.Count); i++)
            {
                var isV6 = IPAddress.Parse(ips[i]).AddressFamily == AddressFamily.InterNetworkV6;
                if (families[i] == "IPv4" && isV6)
                {
                    yield return new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"spec.clusterIPs[{i}]"), CoreValidation.Inv($"expected an IPv4 value as indicated by `ipFamilies[{i}]`"), ips[i]);
                }
                else if (families[i] == "IPv6" && !isV6)
                {
                    yield return new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"spec.clusterIPs[{i}]"), CoreValidation.Inv($"expected an IPv6 value as indicated by `ipFamilies[{i}]`"), ips[i]);
                }
            }
        }
    }

    /// <summary>External IPs must be addresses a node can own: upstream <c>ValidateNonSpecialIP</c>.</summary>
    private static IEnumerable<FieldError> ExternalIps(IList<string> ips)
    {
        for (var i = 0; i < ips.Count; i++)
        {
            var path = CoreValidation.Inv($"spec.externalIPs[{i}]");
            var ip = CoreValidation.ParseIp(ips[i]);
            if (ip is null)
            {
                yield return new FieldError(FieldErrorType.Invalid, path, CoreValidation.InvalidIpMessage, ips[i]);
                continue;
            }

            foreach (var message in CoreValidation.NonSpecialIp(ip))
            {
                yield return new FieldError(FieldErrorType.Invalid, path, message, ips[i]);
            }
        }
    }

    private static IEnumerable<FieldError> NodePorts(IList<V1ServicePort> ports, string type)
    {
        if (type == "ClusterIP")
        {
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i].NodePort is { } nodePort && nodePort != 0)
                {
                    yield return new FieldError(FieldErrorType.Forbidden, CoreValidation.Inv($"spec.ports[{i}].nodePort"), "may not be used when `type` is 'ClusterIP'");
                }
            }
        }

        var seen = new HashSet<(string?, int)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].NodePort is { } nodePort && nodePort != 0 && !seen.Add((ports[i].Protocol, nodePort)))
            {
                yield return new FieldError(FieldErrorType.Duplicate, CoreValidation.Inv($"spec.ports[{i}].nodePort"), BadValue: nodePort);
            }
        }
    }

    private static IEnumerable<FieldError> DuplicatePorts(IList<V1ServicePort> ports)
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

    private static IEnumerable<FieldError> LoadBalancerFields(V1ServiceSpec spec, string type)
    {
        var ranges = spec.LoadBalancerSourceRanges ?? [];
        if (ranges.Count > 0)
        {
            // Upstream's path really is capitalised here.
            if (type != "LoadBalancer")
            {
                yield return new FieldError(FieldErrorType.Forbidden, "spec.LoadBalancerSourceRanges", LoadBalancerOnly);
            }

            for (var i = 0; i < ranges.Count; i++)
            {
                if (!IPNetwork.TryParse((ranges[i] ?? "").Trim(), out _))
                {
                    yield return new FieldError(
                        FieldErrorType.Invalid, CoreValidation.Inv($"spec.LoadBalancerSourceRanges[{i}]"),
                        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)", (ranges[i] ?? "").Trim());
                }
            }
        }

        if (spec.AllocateLoadBalancerNodePorts is not null && type != "LoadBalancer")
        {
            yield return new FieldError(FieldErrorType.Forbidden, "spec.allocateLoadBalancerNodePorts", LoadBalancerOnly);
        }
    }

    /// <summary>upstream <c>validateServiceExternalTrafficPolicy</c> (healthCheckNodePort's Required check comes after allocation here).</summary>
    private static IEnumerable<FieldError> ExternalTrafficPolicy(V1ServiceSpec spec)
    {
        var etp = spec.ExternalTrafficPolicy ?? "";
        if (!ExternallyAccessible(spec))
        {
            if (etp.Length > 0)
            {
                yield return new FieldError(FieldErrorType.Invalid, "spec.externalTrafficPolicy", "may only be set for externally-accessible services", etp);
            }
        }
        else if (etp.Length == 0)
        {
            yield return new FieldError(FieldErrorType.Required, "spec.externalTrafficPolicy");
        }
        else if (!TrafficPolicies.Contains(etp))
        {
            yield return new FieldError(FieldErrorType.NotSupported, "spec.externalTrafficPolicy", CoreValidation.SupportedValues(TrafficPolicies), etp);
        }

        if (!NeedsHealthCheck(spec) && spec.HealthCheckNodePort is { } hc && hc != 0)
        {
            yield return new FieldError(
                FieldErrorType.Invalid, "spec.healthCheckNodePort",
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'", hc);
        }
        else if (NeedsHealthCheck(spec) && spec.HealthCheckNodePort is { } port && port != 0 && !CoreValidation.IsValidPort(port))
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.healthCheckNodePort", CoreValidation.PortRangeMessage, port);
        }
    }

    /// <summary>upstream <c>validateUpgradeDowngradeClusterIPs</c> for a single-stack cluster.</summary>
    private static IEnumerable<FieldError> UpgradeDowngradeClusterIps(V1ServiceSpec old, V1ServiceSpec spec)
    {
        if (spec.Type == "ExternalName" || old.Type == "ExternalName" || (IsHeadless(old) && IsHeadless(spec)))
        {
            yield break;
        }

        var oldIps = old.ClusterIPs ?? [];
        var ips = spec.ClusterIPs ?? [];
        var value = GoValue.StringSlice(ips);
        if (oldIps.Count == ips.Count)
        {
            for (var i = 0; i < oldIps.Count; i++)
            {
                if (oldIps[i] != ips[i])
                {
                    yield return new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"spec.clusterIPs[{i}]"), "may not change once set", value);
                }
            }
        }
        else if (oldIps.Count > ips.Count)
        {
            if (ips.Count == 0)
            {
                yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs[0]", "primary clusterIP can not be unset", value);
            }
            else if (ips[0] != oldIps[0])
            {
                yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs[0]", "may not change once set", value);
            }
        }
        else if (oldIps.Count > 0 && ips[0] != oldIps[0])
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.clusterIPs[0]", "may not change once set", value);
        }
    }
}
