namespace NodeAgent.Api.Resources;

/// <summary>The kinds of field error Kubernetes reports; each becomes a Status cause reason (FieldValue…).</summary>
public enum FieldErrorType
{
    Required,
    Invalid,
    Duplicate,
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    NotFound,
}

/// <summary>
/// One validation failure at a field path in Kubernetes' notation (<c>spec.containers[0].image</c>,
/// <c>metadata.labels[app]</c>). <see cref="Detail"/> is the human part after the standard prefix.
/// </summary>
public sealed record FieldError(FieldErrorType Type, string Field, string Detail = "", object? BadValue = null)
{
    /// <summary>The Status cause reason, as upstream spells it.</summary>
    public string Reason => Type switch
    {
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        FieldErrorType.NotFound => "FieldValueNotFound",
        _ => "FieldValueInvalid",
    };

    /// <summary>The cause message as upstream formats it, e.g. <c>Required value</c> or <c>Invalid value: "x": must be …</c>.</summary>
    public string Message
    {
        get
        {
            var head = Type switch
            {
                FieldErrorType.Required => "Required value",
                FieldErrorType.Invalid => $"Invalid value: {Quote(BadValue)}",
                FieldErrorType.Duplicate => $"Duplicate value: {Quote(BadValue)}",
                FieldErrorType.NotSupported => $"Unsupported value: {Quote(BadValue)}",
                FieldErrorType.Forbidden => "Forbidden",
                FieldErrorType.TooLong => "Too long",
                FieldErrorType.TooMany => "Too many",
                FieldErrorType.NotFound => $"Not found: {Quote(BadValue)}",
                _ => "Invalid value",
            };
            return Detail.Length == 0 ? head : $"{head}: {Detail}";
        }
    }

    private static string Quote(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
