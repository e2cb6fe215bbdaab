namespace NodeAgent.Api.Resources.Validation;

/// <summary>Validators shared by many kinds (upstream <c>apimachinery/pkg/api/validation</c> and core helpers).</summary>
public static class CommonRules
{
    public const string ImmutableMessage = "field is immutable";

    public static IEnumerable<FieldError> NonNegative(long? value, string path)
    {
        if (value is < 0)
        {
            yield return new FieldError(FieldErrorType.Invalid, path, "must be greater than or equal to 0", value.Value);
        }
    }

    /// <summary>A required DNS-1123 label (container, volume, port names …).</summary>
    public static IEnumerable<FieldError> Dns1123Label(string? value, string path)
    {
        if (string.IsNullOrEmpty(value))
        {
            return [new FieldError(FieldErrorType.Required, path)];
        }

        return NameRules.Dns1123Label(value).Select(m => new FieldError(FieldErrorType.Invalid, path, m, value));
    }

    /// <summary>An optional DNS-1123 subdomain (node names, service account names …); empty means unset.</summary>
    public static IEnumerable<FieldError> OptionalDns1123Subdomain(string? value, string path) =>
        string.IsNullOrEmpty(value)
            ? []
            : NameRules.Dns1123Subdomain(value).Select(m => new FieldError(FieldErrorType.Invalid, path, m, value));

    /// <summary><c>Unsupported value: "x": supported values: "a", "b"</c>; an empty value is Required instead.</summary>
    public static IEnumerable<FieldError> OneOf(string? value, string path, params string[] supported)
    {
        if (string.IsNullOrEmpty(value))
        {
            return [new FieldError(FieldErrorType.Required, path)];
        }

        return supported.Contains(value, StringComparer.Ordinal) ? [] : [NotSupported(path, value, supported)];
    }

    public static FieldError NotSupported(string path, object? value, params string[] supported) =>
        new(FieldErrorType.NotSupported, path, "supported values: " + string.Join(", ", supported.Select(s => "\"" + s + "\"")), value);

    /// <summary>Upstream's ValidateLabels: keys are qualified names, values label values.</summary>
    public static IEnumerable<FieldError> Labels(IDictionary<string, string>? labels, string path)
    {
        if (labels is null)
        {
            yield break;
        }

        foreach (var (key, value) in labels)
        {
            foreach (var m in NameRules.QualifiedName(key))
            {
                yield return new FieldError(FieldErrorType.Invalid, path, m, key);
            }

            foreach (var m in NameRules.LabelValue(value ?? ""))
            {
                yield return new FieldError(FieldErrorType.Invalid, path, m, value ?? "");
            }
        }
    }
}
