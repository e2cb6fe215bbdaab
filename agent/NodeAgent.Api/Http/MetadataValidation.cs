using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Http;

/// <summary>Generic object-metadata validation (upstream's ValidateObjectMeta): names, labels, annotations.</summary>
internal static partial class MetadataValidation
{
    private const string SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string Dns1035Message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    private const string QualifiedNameMessage = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    private const string LabelValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    private const int TotalAnnotationSizeLimit = 256 * 1024;

    /// <summary>How a kind's names are validated: most are DNS-1123 subdomains, some labels.</summary>
    public static NameRule NameRuleOf(ResourceDefinition resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return (resource.Group, resource.Plural) switch
        {
            ("", "namespaces") => NameRule.Dns1123Label,
            ("", "services") => NameRule.Dns1035Label,
            _ => NameRule.Dns1123Subdomain,
        };
    }

    public static List<FieldError> Validate(V1ObjectMeta meta, ResourceDefinition resource)
    {
        var errors = new List<FieldError>();
        var rule = NameRuleOf(resource);
        if (string.IsNullOrEmpty(meta.Name))
        {
            if (string.IsNullOrEmpty(meta.GenerateName))
            {
                errors.Add(new FieldError(FieldErrorType.Required, "metadata.name", "name or generateName is required"));
            }
        }
        else
        {
            errors.AddRange(NameErrors(meta.Name, rule).Select(m => new FieldError(FieldErrorType.Invalid, "metadata.name", m, meta.Name)));
        }

        if (!string.IsNullOrEmpty(meta.GenerateName))
        {
            var prefix = meta.GenerateName.EndsWith('-') || meta.GenerateName.EndsWith('.') ? meta.GenerateName[..^1] : meta.GenerateName;
            errors.AddRange(NameErrors(prefix, rule).Select(m => new FieldError(FieldErrorType.Invalid, "metadata.generateName", m, meta.GenerateName)));
        }

        if (resource.Namespaced && !string.IsNullOrEmpty(meta.NamespaceProperty))
        {
            errors.AddRange(NameErrors(meta.NamespaceProperty, NameRule.Dns1123Label).Select(m => new FieldError(FieldErrorType.Invalid, "metadata.namespace", m, meta.NamespaceProperty)));
        }
        else if (!resource.Namespaced && !string.IsNullOrEmpty(meta.NamespaceProperty))
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, "metadata.namespace", "not allowed on this type"));
        }

        foreach (var (key, value) in meta.Labels ?? new Dictionary<string, string>())
        {
            errors.AddRange(QualifiedNameErrors(key).Select(m => new FieldError(FieldErrorType.Invalid, "metadata.labels", m, key)));
            if (value.Length > 63)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, "metadata.labels", "must be no more than 63 characters", value));
            }

            if (!LabelValue().IsMatch(value))
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, "metadata.labels", LabelValueMessage, value));
            }
        }

        var annotationBytes = 0;
        foreach (var (key, value) in meta.Annotations ?? new Dictionary<string, string>())
        {
            errors.AddRange(QualifiedNameErrors(key.ToLowerInvariant()).Select(m => new FieldError(FieldErrorType.Invalid, "metadata.annotations", m, key)));
            annotationBytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value ?? "");
        }

        if (annotationBytes > TotalAnnotationSizeLimit)
        {
            errors.Add(new FieldError(FieldErrorType.TooLong, "metadata.annotations", $"must have at most {TotalAnnotationSizeLimit} bytes"));
        }

        foreach (var finalizer in meta.Finalizers ?? [])
        {
            errors.AddRange(QualifiedNameErrors(finalizer).Select(m => new FieldError(FieldErrorType.Invalid, "metadata.finalizers", m, finalizer)));
        }

        return errors;
    }

    public static IEnumerable<string> NameErrors(string name, NameRule rule)
    {
        var (max, pattern, message) = rule switch
        {
            NameRule.Dns1123Label => (63, Dns1123Label(), LabelMessage),
            NameRule.Dns1035Label => (63, Dns1035Label(), Dns1035Message),
            _ => (253, Dns1123Subdomain(), SubdomainMessage),
        };
        if (name.Length > max)
        {
            yield return $"must be no more than {max} characters";
        }

        if (!pattern.IsMatch(name))
        {
            yield return message;
        }
    }

    /// <summary>Label and annotation keys: an optional DNS subdomain prefix and a name of at most 63 characters.</summary>
    public static IEnumerable<string> QualifiedNameErrors(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0)
            {
                yield return "prefix part must be non-empty";
            }
            else
            {
                foreach (var e in NameErrors(prefix, NameRule.Dns1123Subdomain))
                {
                    yield return "prefix part " + e;
                }
            }
        }

        if (name.Length == 0)
        {
            yield return "name part must be non-empty";
        }
        else if (name.Length > 63)
        {
            yield return "name part must be no more than 63 characters";
        }

        if (name.Length > 0 && !QualifiedName().IsMatch(name))
        {
            yield return QualifiedNameMessage;
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}

internal enum NameRule
{
    Dns1123Subdomain,
    Dns1123Label,
    Dns1035Label,
}
