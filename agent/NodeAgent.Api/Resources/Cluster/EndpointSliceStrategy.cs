using k8s.Models;
using NodeAgent.Api.Resources.Core;

namespace NodeAgent.Api.Resources.Cluster;

/// <summary>discovery.k8s.io/v1 EndpointSlice: port defaulting, ValidateEndpointSlice, and its Table.</summary>
public sealed class EndpointSliceStrategy : ResourceStrategy<V1EndpointSlice>
{
    private const int MaxEndpoints = 1000;
    private const int MaxAddresses = 100;
    private const int MaxPorts = 20000;
    private const int MaxTopologyLabels = 16;
    private static readonly string[] AddressTypes = ["FQDN", "IPv4", "IPv6"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."),
        new("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."),
        new("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
        AgeColumn,
    ];

    /// <summary>upstream <c>SetDefaults_EndpointPort</c>: protocol TCP, name "".</summary>
    public override void ApplyDefaults(V1EndpointSlice obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        foreach (var port in obj.Ports ?? [])
        {
            port.Name ??= "";
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }
        }
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1EndpointSlice obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        var addressType = obj.AddressType ?? "";
        if (addressType.Length == 0)
        {
            errors.Add(new FieldError(FieldErrorType.Required, "addressType"));
        }
        else if (!AddressTypes.Contains(addressType))
        {
            errors.Add(new FieldError(FieldErrorType.NotSupported, "addressType", CoreValidation.SupportedValues(AddressTypes), addressType));
        }

        errors.AddRange(ValidateEndpoints(obj.Endpoints ?? [], addressType));
        errors.AddRange(ValidatePorts(obj.Ports ?? []));
        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1EndpointSlice obj, V1EndpointSlice old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var errors = ValidateCreate(obj).ToList();
        if (!string.Equals(obj.AddressType, old.AddressType, StringComparison.Ordinal))
        {
            errors.Add(CoreValidation.Immutable("addressType", obj.AddressType ?? ""));
        }

        return errors;
    }

    public override IReadOnlyList<object?> Cells(V1EndpointSlice obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return
        [
            obj.Metadata?.Name,
            obj.AddressType ?? "",
            FormatPorts(obj.Ports),
            FormatEndpoints(obj.Endpoints),
            TableFormat.Age(obj.Metadata?.CreationTimestamp, now),
        ];
    }

    /// <summary>upstream <c>formatDiscoveryPorts</c>: port numbers (or names, or <c>*</c>), three at most.</summary>
    public static string FormatPorts(IEnumerable<Discoveryv1EndpointPort>? ports) =>
        ListWithMore((ports ?? []).Select(p => p.Port is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : p.Name ?? "*").ToList());

    /// <summary>upstream <c>formatDiscoveryEndpoints</c>: the addresses of all endpoints, three at most.</summary>
    public static string FormatEndpoints(IEnumerable<V1Endpoint>? endpoints) =>
        ListWithMore((endpoints ?? []).SelectMany(e => e.Addresses ?? []).ToList());

    private static string ListWithMore(List<string> items)
    {
        const int max = 3;
        if (items.Count > max)
        {
            return CoreValidation.Inv($"{string.Join(",", items.Take(max))} + {items.Count - max} more...");
        }

        return items.Count == 0 ? "<unset>" : string.Join(",", items);
    }

    private static IEnumerable<FieldError> ValidateEndpoints(IList<V1Endpoint> endpoints, string addressType)
    {
        if (endpoints.Count > MaxEndpoints)
        {
            yield return new FieldError(FieldErrorType.TooMany, "endpoints", CoreValidation.Inv($"must have at most {MaxEndpoints} items"), endpoints.Count);
            yield break;
        }

        for (var i = 0; i < endpoints.Count; i++)
        {
            var path = CoreValidation.Inv($"endpoints[{i}].addresses");
            var addresses = endpoints[i].Addresses ?? [];
            if (addresses.Count == 0)
            {
                yield return new FieldError(FieldErrorType.Required, path, "must contain at least 1 address");
            }
            else if (addresses.Count > MaxAddresses)
            {
                yield return new FieldError(FieldErrorType.TooMany, path, CoreValidation.Inv($"must have at most {MaxAddresses} items"), addresses.Count);
            }

            for (var j = 0; j < addresses.Count; j++)
            {
                if (addressType == "FQDN" && addresses[j].TrimEnd('.').Length == 0)
                {
                    yield return new FieldError(FieldErrorType.Required, CoreValidation.Inv($"{path}[{j}]"));
                }

                foreach (var message in AddressErrors(addresses[j], addressType))
                {
                    yield return new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"{path}[{j}]"), message, addresses[j]);
                }
            }

            var topology = endpoints[i].DeprecatedTopology;
            if (topology is { Count: > MaxTopologyLabels })
            {
                yield return new FieldError(FieldErrorType.TooMany, CoreValidation.Inv($"endpoints[{i}].deprecatedTopology"), CoreValidation.Inv($"must have at most {MaxTopologyLabels} items"), topology.Count);
            }

            foreach (var error in CoreValidation.Labels(topology, CoreValidation.Inv($"endpoints[{i}].deprecatedTopology")))
            {
                yield return error;
            }

            if (endpoints[i].Hostname is { } hostname)
            {
                foreach (var message in CoreValidation.Dns1123Label(hostname))
                {
                    yield return new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"endpoints[{i}].hostname"), message, hostname);
                }
            }
        }
    }

    private static IEnumerable<string> AddressErrors(string address, string addressType)
    {
        var ip = CoreValidation.ParseIp(address);
        switch (addressType)
        {
            case "IPv4" or "IPv6":
                var family = addressType == "IPv4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
                if (ip is null || ip.AddressFamily != family)
                {
                    yield return $"must be a valid {addressType} address";
                    break;
                }

                foreach (var message in CoreValidation.NonSpecialIp(ip))
                {
                    yield return message;
                }

                break;
            case "FQDN":
                foreach (var message in CoreValidation.FullyQualifiedDomainName(address))
                {
                    yield return message;
                }

                break;
        }
    }

    private static IEnumerable<FieldError> ValidatePorts(IList<Discoveryv1EndpointPort> ports)
    {
        if (ports.Count > MaxPorts)
        {
            yield return new FieldError(FieldErrorType.TooMany, "ports", CoreValidation.Inv($"must have at most {MaxPorts} items"), ports.Count);
            yield break;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            var path = CoreValidation.Inv($"ports[{i}]");
            var name = ports[i].Name ?? "";
            if (name.Length > 0)
            {
                foreach (var message in CoreValidation.Dns1123Label(name))
                {
                    yield return new FieldError(FieldErrorType.Invalid, path + ".name", message, name);
                }
            }

            if (!names.Add(name))
            {
                yield return new FieldError(FieldErrorType.Duplicate, path + ".name", BadValue: name);
            }

            var protocol = ports[i].Protocol ?? "";
            if (protocol.Length == 0)
            {
                yield return new FieldError(FieldErrorType.Required, path + ".protocol");
            }
            else if (!Protocols.Contains(protocol))
            {
                yield return new FieldError(FieldErrorType.NotSupported, path + ".protocol", CoreValidation.SupportedValues(Protocols), protocol);
            }

            if (ports[i].AppProtocol is { } appProtocol)
            {
                foreach (var message in CoreValidation.QualifiedName(appProtocol))
                {
                    yield return new FieldError(FieldErrorType.Invalid, path + ".appProtocol", message, appProtocol);
                }
            }
        }
    }
}
