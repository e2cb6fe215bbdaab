using System.Text;
using System.Text.Json;
using k8s.Models;

namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// core/v1 Secret: <c>stringData</c> folded into <c>data</c>, type defaulting and the per-type required keys
/// (ValidateSecret), <c>type</c> and <c>immutable</c> on update, the selectable field <c>type</c>.
/// </summary>
public sealed class SecretStrategy : ResourceStrategy<V1Secret>
{
    public const string Opaque = "Opaque";
    public const string ServiceAccountNameAnnotation = "kubernetes.io/service-account.name";

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Type", "string", "Used to facilitate programmatic handling of secret data."),
        new("Data", "string", "Data contains the secret data."),
        AgeColumn,
    ];

    /// <summary>
    /// Upstream folds stringData into data while converting from v1 (stringData wins over data, and is never
    /// stored or returned); doing it here, on every create and update, has the same effect.
    /// </summary>
    public override void ApplyDefaults(V1Secret obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.StringData is { Count: > 0 })
        {
            obj.Data ??= new Dictionary<string, byte[]>();
            foreach (var (key, value) in obj.StringData)
            {
                obj.Data[key] = Encoding.UTF8.GetBytes(value ?? "");
            }
        }

        obj.StringData = null;
        if (string.IsNullOrEmpty(obj.Type))
        {
            obj.Type = Opaque;
        }
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1Secret obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        var data = obj.Data ?? new Dictionary<string, byte[]>();
        long total = 0;
        foreach (var (key, value) in data)
        {
            errors.AddRange(ConfigMapStrategy.KeyErrors(key, "data"));
            total += value?.Length ?? 0;
        }

        if (total > ConfigMapStrategy.MaxSize)
        {
            errors.Add(ConfigMapStrategy.TooLong("data"));
        }

        errors.AddRange(TypeErrors(obj, data));
        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1Secret obj, V1Secret old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var errors = ValidateCreate(obj).ToList();
        if (!string.Equals(obj.Type, old.Type, StringComparison.Ordinal))
        {
            errors.Add(CoreValidation.Immutable("type", obj.Type ?? ""));
        }

        if (old.Immutable == true)
        {
            if (obj.Immutable != true)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, "immutable", ConfigMapStrategy.ImmutableDetail));
            }

            if (!ConfigMapStrategy.SameMap(obj.Data, old.Data, (a, b) => (a ?? []).AsSpan().SequenceEqual(b ?? [])))
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, "data", ConfigMapStrategy.ImmutableDetail));
            }
        }

        return errors;
    }

    public override IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(V1Secret obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        yield return new("type", obj.Type ?? "");
    }

    public override IReadOnlyList<object?> Cells(V1Secret obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return [obj.Metadata?.Name, obj.Type ?? "", (long)(obj.Data?.Count ?? 0), TableFormat.Age(obj.Metadata?.CreationTimestamp, now)];
    }

    private static IEnumerable<FieldError> TypeErrors(V1Secret secret, IDictionary<string, byte[]> data)
    {
        switch (secret.Type)
        {
            case "kubernetes.io/service-account-token":
                if (secret.Metadata?.Annotations?.TryGetValue(ServiceAccountNameAnnotation, out var account) != true || string.IsNullOrEmpty(account))
                {
                    yield return new FieldError(FieldErrorType.Required, $"metadata.annotations[{ServiceAccountNameAnnotation}]");
                }

                break;
            case "kubernetes.io/dockercfg":
                foreach (var error in JsonKeyErrors(data, ".dockercfg"))
                {
                    yield return error;
                }

                break;
            case "kubernetes.io/dockerconfigjson":
                foreach (var error in JsonKeyErrors(data, ".dockerconfigjson"))
                {
                    yield return error;
                }

                break;
            case "kubernetes.io/basic-auth":
                // Either key is enough; upstream complains about both when neither is there.
                if (!data.ContainsKey("username") && !data.ContainsKey("password"))
                {
                    yield return new FieldError(FieldErrorType.Required, "data[username]");
                    yield return new FieldError(FieldErrorType.Required, "data[password]");
                }

                break;
            case "kubernetes.io/ssh-auth":
                if (!data.TryGetValue("ssh-privatekey", out var key) || key is null || key.Length == 0)
                {
                    yield return new FieldError(FieldErrorType.Required, "data[ssh-privatekey]");
                }

                break;
            case "kubernetes.io/tls":
                if (!data.ContainsKey("tls.crt"))
                {
                    yield return new FieldError(FieldErrorType.Required, "data[tls.crt]");
                }

                if (!data.ContainsKey("tls.key"))
                {
                    yield return new FieldError(FieldErrorType.Required, "data[tls.key]");
                }

                break;
        }
    }

    private static IEnumerable<FieldError> JsonKeyErrors(IDictionary<string, byte[]> data, string key)
    {
        var path = $"data[{key}]";
        if (!data.TryGetValue(key, out var bytes))
        {
            yield return new FieldError(FieldErrorType.Required, path);
            yield break;
        }

        if (JsonObjectProblem(bytes ?? []) is { } problem)
        {
            // Upstream never echoes secret content in errors.
            yield return new FieldError(FieldErrorType.Invalid, path, problem, "<secret contents redacted>");
        }
    }

    /// <summary>Why the bytes are no JSON object, worded like Go's encoding/json where it matters; null when they are one.</summary>
    private static string? JsonObjectProblem(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return "unexpected end of JSON input";
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Null
                ? null
                : $"json: cannot unmarshal {GoJsonKind(document.RootElement.ValueKind)} into Go value of type map[string]interface {{}}";
        }
        catch (JsonException e)
        {
            return e.Message;
        }
    }

    private static string GoJsonKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };
}
