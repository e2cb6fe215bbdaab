using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// The small value validators of upstream <c>k8s.io/apimachinery/pkg/util/validation</c> that the core and
/// cluster kinds need, each returning upstream's messages (empty when the value is valid).
/// </summary>
/// <remarks>Kept local to the core kinds for now; the lead merges them with the shared validators.</remarks>
internal static partial class CoreValidation
{
    public const string PortRangeMessage = "must be between 1 and 65535, inclusive";
    public const string InvalidIpMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

    private const string Dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string Dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string Dns1035LabelMessage =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    private const string ConfigKeyMessage =
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

    public static IReadOnlyList<string> Dns1123Label(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63)
        {
            errors.Add(MaxLength(63));
        }

        if (!Dns1123LabelRegex().IsMatch(value))
        {
            errors.Add(Dns1123LabelMessage);
        }

        return errors;
    }

    public static IReadOnlyList<string> Dns1123Subdomain(string value)
    {
        var errors = new List<string>();
        if (value.Length > 253)
        {
            errors.Add(MaxLength(253));
        }

        if (!Dns1123SubdomainRegex().IsMatch(value))
        {
            errors.Add(Dns1123SubdomainMessage);
        }

        return errors;
    }

    public static IReadOnlyList<string> Dns1035Label(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63)
        {
            errors.Add(MaxLength(63));
        }

        if (!Dns1035LabelRegex().IsMatch(value))
        {
            errors.Add(Dns1035LabelMessage);
        }

        return errors;
    }

    /// <summary>upstream <c>IsQualifiedName</c>: an optional DNS subdomain prefix and '/', then a name part.</summary>
    public static IReadOnlyList<string> QualifiedName(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                name = parts[1];
                if (parts[0].Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    errors.AddRange(Dns1123Subdomain(parts[0]).Select(m => "prefix part " + m));
                }

                break;
            default:
                return ["a qualified name " + QualifiedNameMessage + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > 63)
        {
            errors.Add("name part " + MaxLength(63));
        }

        if (!QualifiedNameRegex().IsMatch(name))
        {
            errors.Add("name part " + QualifiedNameMessage);
        }

        return errors;
    }

    public static IReadOnlyList<string> LabelValue(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63)
        {
            errors.Add(MaxLength(63));
        }

        if (!LabelValueRegex().IsMatch(value))
        {
            errors.Add(LabelValueMessage);
        }

        return errors;
    }

    /// <summary>upstream <c>IsConfigMapKey</c>, for ConfigMap and Secret data keys.</summary>
    public static IReadOnlyList<string> ConfigMapKey(string value)
    {
        var errors = new List<string>();
        if (value.Length > 253)
        {
            errors.Add(MaxLength(253));
        }

        if (!ConfigKeyRegex().IsMatch(value))
        {
            errors.Add(ConfigKeyMessage);
        }

        if (value == ".")
        {
            errors.Add("must not be '.'");
        }
        else if (value == "..")
        {
            errors.Add("must not be '..'");
        }
        else if (value.StartsWith("..", StringComparison.Ordinal))
        {
            errors.Add("must not start with '..'");
        }

        return errors;
    }

    /// <summary>upstream <c>IsValidPortName</c> (an IANA service name, used for named target ports).</summary>
    public static IReadOnlyList<string> PortName(string value)
    {
        var errors = new List<string>();
        if (value.Length > 15)
        {
            errors.Add(MaxLength(15));
        }

        if (!PortNameCharsRegex().IsMatch(value))
        {
            errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!value.Any(char.IsAsciiLetter))
        {
            errors.Add("must contain at least one letter (a-z)");
        }

        if (value.Contains("--", StringComparison.Ordinal))
        {
            errors.Add("must not contain consecutive hyphens");
        }

        if (value.Length > 0 && (value[0] == '-' || value[^1] == '-'))
        {
            errors.Add("must not begin or end with a hyphen");
        }

        return errors;
    }

    public static bool IsValidPort(long port) => port is >= 1 and <= 65535;

    /// <summary>Parses an IP address in the strict form Go accepts (no abbreviated IPv4, no zone).</summary>
    public static IPAddress? ParseIp(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(value, out var ip))
        {
            return null;
        }

        if (ip.AddressFamily == AddressFamily.InterNetwork && !string.Equals(ip.ToString(), value, StringComparison.Ordinal))
        {
            // .NET accepts "10", "10.1" and leading zeros; Go's parser does not.
            return null;
        }

        return ip;
    }

    public static bool IsValidIp(string? value) => ParseIp(value) is not null;

    /// <summary>upstream <c>ValidateNonSpecialIP</c>: addresses a node cannot own as a service or endpoint address.</summary>
    public static IEnumerable<string> NonSpecialIp(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            yield return "may not be unspecified (0.0.0.0)";
        }
        else if (IPAddress.IsLoopback(ip))
        {
            yield return "may not be in the loopback range (127.0.0.0/8, ::1/128)";
        }
        else if (LinkLocal.Contains(ip) || ip.IsIPv6LinkLocal)
        {
            yield return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
        }
        else if (LinkLocalMulticast.Contains(ip) || ip.IsIPv6Multicast && LinkLocalMulticastV6.Contains(ip))
        {
            yield return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)";
        }
    }

    /// <summary>upstream <c>IsFullyQualifiedDomainName</c> (a trailing dot is allowed).</summary>
    public static IReadOnlyList<string> FullyQualifiedDomainName(string value)
    {
        var name = value.EndsWith('.') ? value[..^1] : value;
        if (name.Length == 0)
        {
            // Upstream reports an empty name as a Required error; callers check that first.
            return [];
        }

        var errors = new List<string>();
        if (!name.Contains('.', StringComparison.Ordinal))
        {
            errors.Add("should be a domain with at least two segments separated by dots");
        }

        errors.AddRange(Dns1123Subdomain(name));
        return errors;
    }

    /// <summary>Label map validation: keys and values reported at the map's own path, as upstream <c>ValidateLabels</c> does.</summary>
    public static IEnumerable<FieldError> Labels(IDictionary<string, string>? labels, string path)
    {
        if (labels is null)
        {
            yield break;
        }

        foreach (var (key, value) in labels)
        {
            foreach (var message in QualifiedName(key))
            {
                yield return new FieldError(FieldErrorType.Invalid, path, message, key);
            }

            foreach (var message in LabelValue(value ?? ""))
            {
                yield return new FieldError(FieldErrorType.Invalid, path, message, value);
            }
        }
    }

    /// <summary>The "Unsupported value" detail: <c>supported values: "A", "B"</c>.</summary>
    public static string SupportedValues(params string[] values) =>
        "supported values: " + string.Join(", ", values.Select(v => $"\"{v}\""));

    /// <summary>A field error for a changed immutable field, as upstream <c>ValidateImmutableField</c> reports it.</summary>
    public static FieldError Immutable(string path, object? newValue) =>
        new(FieldErrorType.Invalid, path, "field is immutable", newValue);

    public static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static readonly IPNetwork LinkLocal = IPNetwork.Parse("169.254.0.0/16");
    private static readonly IPNetwork LinkLocalMulticast = IPNetwork.Parse("224.0.0.0/24");
    private static readonly IPNetwork LinkLocalMulticastV6 = IPNetwork.Parse("ff02::/16");

    private static string MaxLength(int max) => Inv($"must be no more than {max} characters");

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z")]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?\\z")]
    private static partial Regex Dns1035LabelRegex();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\\z")]
    private static partial Regex QualifiedNameRegex();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\\z")]
    private static partial Regex LabelValueRegex();

    [GeneratedRegex("^[-._a-zA-Z0-9]+\\z")]
    private static partial Regex ConfigKeyRegex();

    [GeneratedRegex("^[-a-z0-9]+\\z")]
    private static partial Regex PortNameCharsRegex();
}
