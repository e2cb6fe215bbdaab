using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using NodeAgent.Cri;

namespace NodeAgent.Configuration;

/// <summary>Parses one raw setting by its kind; failures name the setting, the value and where it came from.</summary>
internal static partial class ConfigValueParser
{
    public static string Path(ConfigValue value)
    {
        var text = Required(value);
        try
        {
            return System.IO.Path.GetFullPath(text);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Invalid(value, text, "not a valid path");
        }
    }

    public static IPAddress IpAddress(ConfigValue value)
    {
        var text = Required(value);
        return IPAddress.TryParse(text, out var address) ? address : throw Invalid(value, text, "not an IP address");
    }

    public static int Port(ConfigValue value)
    {
        var text = Required(value);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw Invalid(value, text, "not a port number between 1 and 65535");
    }

    public static IPNetwork Cidr(ConfigValue value)
    {
        var text = Required(value);
        // IPNetwork.TryParse masks host bits silently; a CIDR with host bits set is a typo we report.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPNetwork.TryParse(text, out var network) || !network.BaseAddress.Equals(IPAddress.Parse(text[..slash])))
        {
            throw Invalid(value, text, "not a CIDR such as 10.66.0.0/16 (address/prefix, no host bits set)");
        }

        return network;
    }

    public static string UnixEndpoint(ConfigValue value)
    {
        var text = Required(value);
        return CriEndpoint.TryParse(text, out var endpoint, out var error)
            ? endpoint.ToString()
            : throw Invalid(value, text, $"{error} (e.g. unix:///run/nodeagent/cri.sock)");
    }

    public static string DatastoreEndpoint(ConfigValue value)
    {
        var text = Required(value);
        if (text == "sqlite")
        {
            return text;
        }

        foreach (var part in text.Split(','))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !HasExplicitPort(part))
            {
                throw Invalid(value, text, "expected 'sqlite' or etcd URLs such as http://127.0.0.1:2379");
            }
        }

        return text;
    }

    private static bool HasExplicitPort(string url)
    {
        var authority = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/')[0];
        return authority.LastIndexOf(':') > authority.LastIndexOf(']');
    }

    public static string HostPort(ConfigValue value, string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon] : string.Empty;
        var valid = colon > 0
            && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            && (Uri.CheckHostName(host.Trim('[', ']')) != UriHostNameType.Unknown);
        return valid ? text : throw Invalid(value, text, "not HOST:PORT such as 127.0.0.1:5000");
    }

    public static string InterfaceName(ConfigValue value)
    {
        var text = Required(value);
        // Linux limits interface names to 15 bytes and forbids '/', ':' and whitespace.
        return InterfaceNamePattern().IsMatch(text) ? text : throw Invalid(value, text, "not a Linux interface name (1-15 characters of a-z, 0-9, '-', '_', '.')");
    }

    public static string NodeName(ConfigValue value)
    {
        var text = Required(value);
        return text.Length <= 253 && DnsSubdomainPattern().IsMatch(text)
            ? text
            : throw Invalid(value, text, "not a DNS subdomain (lower-case letters, digits, '-' and '.')");
    }

    /// <summary>kubelet's --eviction-hard syntax; an empty value switches hard eviction off.</summary>
    public static IReadOnlyList<NodeAgent.Node.Eviction.EvictionThreshold> EvictionThresholds(ConfigValue value)
    {
        var text = value.Last?.Trim() ?? string.Empty;
        try
        {
            return NodeAgent.Node.Eviction.EvictionThreshold.ParseList(text);
        }
        catch (FormatException e)
        {
            throw Invalid(value, text, e.Message);
        }
    }

    /// <summary>A Kubernetes quantity of bytes (64Ki, 10Mi, 1G, 1048576), greater than zero, as kubelet's containerLogMaxSize.</summary>
    public static long LogMaxSize(ConfigValue value)
    {
        var text = Required(value);
        var match = QuantityPattern().Match(text);
        if (!match.Success)
        {
            throw Invalid(value, text, "not a size such as 10Mi, 64Ki or 1048576");
        }

        var multiplier = match.Groups[2].Value switch
        {
            "" => 1L,
            "k" => 1000L,
            "M" => 1000L * 1000,
            "G" => 1000L * 1000 * 1000,
            "T" => 1000L * 1000 * 1000 * 1000,
            "Ki" => 1L << 10,
            "Mi" => 1L << 20,
            "Gi" => 1L << 30,
            _ => 1L << 40,
        };
        if (!long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > long.MaxValue / multiplier)
        {
            throw Invalid(value, text, "too large");
        }

        return number > 0 ? number * multiplier : throw Invalid(value, text, "must be greater than 0");
    }

    /// <summary>kubelet refuses fewer than 2: the current file and at least one rotated one.</summary>
    public static int LogMaxFiles(ConfigValue value)
    {
        var text = Required(value);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var files))
        {
            throw Invalid(value, text, "not a whole number");
        }

        return files >= 2 ? files : throw Invalid(value, text, "must be 2 or more (the current file and at least one rotated one)");
    }

    public static ConfigException Invalid(ConfigValue value, string text, string reason)
        => new($"invalid {value.Key.Name} \"{text}\" (from {value.Origin}): {reason}");

    private static string Required(ConfigValue value)
    {
        var text = value.Last;
        return string.IsNullOrWhiteSpace(text) ? throw new ConfigException($"{value.Key.Name} is empty (from {value.Origin})") : text.Trim();
    }

    [GeneratedRegex("^([0-9]+)(k|M|G|T|Ki|Mi|Gi|Ti)?$")]
    private static partial Regex QuantityPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,15}$")]
    private static partial Regex InterfaceNamePattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomainPattern();
}
