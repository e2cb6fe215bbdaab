using k8s.Models;

namespace NodeAgent.Api.Resources.Core;

/// <summary>core/v1 Endpoints: port protocol defaulting, subset validation and the ENDPOINTS column.</summary>
public sealed class EndpointsStrategy : ResourceStrategy<V1Endpoints>
{
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Endpoints", "string", "The set of all endpoints is the union of all subsets."),
        AgeColumn,
    ];

    public override void ApplyDefaults(V1Endpoints obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        foreach (var port in (obj.Subsets ?? []).SelectMany(s => s.Ports ?? []))
        {
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }
        }
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1Endpoints obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        var subsets = obj.Subsets ?? [];
        for (var i = 0; i < subsets.Count; i++)
        {
            var path = CoreValidation.Inv($"subsets[{i}]");
            var addresses = subsets[i].Addresses ?? [];
            var notReady = subsets[i].NotReadyAddresses ?? [];
            if (addresses.Count == 0 && notReady.Count == 0)
            {
                // Upstream's wording: an empty subset is reported at the subset's path.
                errors.Add(new FieldError(FieldErrorType.Required, path, "must specify `addresses` or `notReadyAddresses`"));
            }

            errors.AddRange(ValidateAddresses(addresses, path + ".addresses"));
            errors.AddRange(ValidateAddresses(notReady, path + ".notReadyAddresses"));

            var ports = subsets[i].Ports ?? [];
            for (var j = 0; j < ports.Count; j++)
            {
                errors.AddRange(ValidatePort(ports[j], ports.Count > 1, CoreValidation.Inv($"{path}.ports[{j}]")));
            }
        }

        return errors;
    }

    public override IReadOnlyList<object?> Cells(V1Endpoints obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return [obj.Metadata?.Name, FormatEndpoints(obj), TableFormat.Age(obj.Metadata?.CreationTimestamp, now)];
    }

    /// <summary>
    /// upstream <c>formatEndpoints</c>: the first three <c>ip:port</c> pairs (bare IPs for a subset without ports),
    /// then <c>+ N more...</c>; <c>&lt;none&gt;</c> without subsets.
    /// </summary>
    public static string FormatEndpoints(V1Endpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Subsets is null || endpoints.Subsets.Count == 0)
        {
            return "<none>";
        }

        const int max = 3;
        var shown = new List<string>();
        var count = 0;
        foreach (var subset in endpoints.Subsets)
        {
            var addresses = subset.Addresses ?? [];
            if (subset.Ports is null || subset.Ports.Count == 0)
            {
                count += addresses.Count;
                shown.AddRange(addresses.Take(max - shown.Count).Select(a => a.Ip));
                continue;
            }

            foreach (var port in subset.Ports)
            {
                count += addresses.Count;
                shown.AddRange(addresses.Take(max - shown.Count).Select(a => JoinHostPort(a.Ip, port.Port)));
            }
        }

        var text = string.Join(",", shown);
        return count > max ? CoreValidation.Inv($"{text} + {count - max} more...") : text;
    }

    /// <summary>Go's <c>net.JoinHostPort</c>: IPv6 addresses in brackets.</summary>
    internal static string JoinHostPort(string? host, int port) =>
        host is not null && host.Contains(':', StringComparison.Ordinal)
            ? CoreValidation.Inv($"[{host}]:{port}")
            : CoreValidation.Inv($"{host}:{port}");

    private static IEnumerable<FieldError> ValidateAddresses(IList<V1EndpointAddress> addresses, string path)
    {
        for (var i = 0; i < addresses.Count; i++)
        {
            var ip = addresses[i].Ip ?? "";
            var ipPath = CoreValidation.Inv($"{path}[{i}].ip");
            var parsed = CoreValidation.ParseIp(ip);
            if (parsed is null)
            {
                yield return new FieldError(FieldErrorType.Invalid, ipPath, CoreValidation.InvalidIpMessage, ip);
            }
            else
            {
                foreach (var message in CoreValidation.NonSpecialIp(parsed))
                {
                    yield return new FieldError(FieldErrorType.Invalid, ipPath, message, ip);
                }
            }

            if (addresses[i].Hostname is { Length: > 0 } hostname)
            {
                foreach (var message in CoreValidation.Dns1123Label(hostname))
                {
                    yield return new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"{path}[{i}].hostname"), message, hostname);
                }
            }

            if (addresses[i].NodeName is { Length: > 0 } nodeName)
            {
                foreach (var message in CoreValidation.Dns1123Subdomain(nodeName))
                {
                    yield return new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"{path}[{i}].nodeName"), message, nodeName);
                }
            }
        }
    }

    private static IEnumerable<FieldError> ValidatePort(Corev1EndpointPort port, bool requireName, string path)
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
    }
}
