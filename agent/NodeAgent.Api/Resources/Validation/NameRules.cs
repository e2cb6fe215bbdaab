using System.Text.RegularExpressions;

namespace NodeAgent.Api.Resources.Validation;

/// <summary>
/// The string-format checks of upstream <c>k8s.io/apimachinery/pkg/util/validation</c>. Each returns the
/// messages upstream returns (empty when valid), so callers wrap them in <see cref="FieldError"/>s.
/// </summary>
public static partial class NameRules
{
    public const int LabelMaxLength = 63;
    public const int SubdomainMaxLength = 253;

    private const string LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelValueFormat = "(" + QualifiedNameFormat + ")?";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '"
        + LabelFormat + "')";

    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '"
        + LabelFormat + "(\\." + LabelFormat + ")*')";

    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '"
        + QualifiedNameFormat + "')";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '"
        + LabelValueFormat + "')";

    /// <summary>upstream's message for a value over <paramref name="max"/> characters.</summary>
    public static string MaxLenMessage(int max) => $"must be no more than {max} characters";

    public static IReadOnlyList<string> Dns1123Label(string value)
    {
        var errors = new List<string>();
        if (value.Length > LabelMaxLength)
        {
            errors.Add(MaxLenMessage(LabelMaxLength));
        }

        if (!LabelRegex().IsMatch(value))
        {
            errors.Add(LabelMessage);
        }

        return errors;
    }

    public static IReadOnlyList<string> Dns1123Subdomain(string value)
    {
        var errors = new List<string>();
        if (value.Length > SubdomainMaxLength)
        {
            errors.Add(MaxLenMessage(SubdomainMaxLength));
        }

        if (!SubdomainRegex().IsMatch(value))
        {
            errors.Add(SubdomainMessage);
        }

        return errors;
    }

    /// <summary>A label key or annotation key: an optional DNS subdomain prefix and '/', then a name of ≤ 63 characters.</summary>
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
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    errors.AddRange(Dns1123Subdomain(prefix).Select(m => "prefix part " + m));
                }

                break;
            default:
                return ["a qualified name " + QualifiedNameMessage + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > LabelMaxLength)
        {
            errors.Add("name part " + MaxLenMessage(LabelMaxLength));
        }

        if (name.Length > 0 && !QualifiedNameRegex().IsMatch(name))
        {
            errors.Add("name part " + QualifiedNameMessage);
        }

        return errors;
    }

    public static IReadOnlyList<string> LabelValue(string value)
    {
        var errors = new List<string>();
        if (value.Length > LabelMaxLength)
        {
            errors.Add(MaxLenMessage(LabelMaxLength));
        }

        if (!LabelValueRegex().IsMatch(value))
        {
            errors.Add(LabelValueMessage);
        }

        return errors;
    }

    /// <summary>IANA_SVC_NAME: a port name (≤ 15 characters, letters, digits and single inner hyphens, at least one letter).</summary>
    public static IReadOnlyList<string> PortName(string value)
    {
        var errors = new List<string>();
        if (value.Length > 15)
        {
            errors.Add(MaxLenMessage(15));
        }

        if (!PortNameCharsRegex().IsMatch(value))
        {
            errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!PortNameOneLetterRegex().IsMatch(value))
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

    public static IReadOnlyList<string> PortNumber(long port) =>
        port is >= 1 and <= 65535 ? [] : [InclusiveRange(1, 65535)];

    public static string InclusiveRange(long low, long high) => $"must be between {low} and {high}, inclusive";

    /// <summary>
    /// Environment variable names as 1.32 checks them (RelaxedEnvironmentVariableValidation is on by
    /// default there): any printable ASCII except '='.
    /// </summary>
    public static IReadOnlyList<string> EnvVarName(string value)
    {
        foreach (var c in value)
        {
            if (c < 32 || c > 126 || c == '=')
            {
                return ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
            }
        }

        return [];
    }

    /// <summary>A percent string such as "25%" (for maxSurge/maxUnavailable).</summary>
    public static IReadOnlyList<string> Percent(string value) =>
        PercentRegex().IsMatch(value)
            ? []
            : ["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"];

    [GeneratedRegex("^" + LabelFormat + "$")]
    private static partial Regex LabelRegex();

    [GeneratedRegex("^" + LabelFormat + "(\\." + LabelFormat + ")*$")]
    private static partial Regex SubdomainRegex();

    [GeneratedRegex("^" + QualifiedNameFormat + "$")]
    private static partial Regex QualifiedNameRegex();

    [GeneratedRegex("^" + LabelValueFormat + "$")]
    private static partial Regex LabelValueRegex();

    [GeneratedRegex("^[-a-z0-9]+$")]
    private static partial Regex PortNameCharsRegex();

    [GeneratedRegex("[a-z]")]
    private static partial Regex PortNameOneLetterRegex();

    [GeneratedRegex("^[0-9]+%$")]
    private static partial Regex PercentRegex();
}
