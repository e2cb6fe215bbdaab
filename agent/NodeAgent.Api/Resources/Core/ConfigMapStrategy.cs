using k8s.Models;

namespace NodeAgent.Api.Resources.Core;

/// <summary>core/v1 ConfigMap: key and size validation, <c>immutable</c>, the DATA column.</summary>
public sealed class ConfigMapStrategy : ResourceStrategy<V1ConfigMap>
{
    /// <summary>upstream <c>MaxConfigMapSize</c> / <c>MaxSecretSize</c>: 1 MiB.</summary>
    public const int MaxSize = 1024 * 1024;

    internal const string ImmutableDetail = "field is immutable when `immutable` is set";

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Data", "string", "Data contains the configuration data."),
        AgeColumn,
    ];

    public override IReadOnlyList<FieldError> ValidateCreate(V1ConfigMap obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        long total = 0;
        foreach (var (key, value) in obj.Data ?? new Dictionary<string, string>())
        {
            errors.AddRange(KeyErrors(key, "data"));
            if (obj.BinaryData?.ContainsKey(key) == true)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, $"data[{key}]", "duplicate of key present in binaryData", key));
            }

            total += System.Text.Encoding.UTF8.GetByteCount(value ?? "");
        }

        foreach (var (key, value) in obj.BinaryData ?? new Dictionary<string, byte[]>())
        {
            errors.AddRange(KeyErrors(key, "binaryData"));
            total += value?.Length ?? 0;
        }

        if (total > MaxSize)
        {
            // Upstream reports the size at the empty path: the error is about the whole object.
            errors.Add(TooLong(""));
        }

        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1ConfigMap obj, V1ConfigMap old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var errors = ValidateCreate(obj).ToList();
        if (old.Immutable == true)
        {
            if (obj.Immutable != true)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, "immutable", ImmutableDetail));
            }

            if (!SameMap(obj.Data, old.Data, string.Equals))
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, "data", ImmutableDetail));
            }

            if (!SameMap(obj.BinaryData, old.BinaryData, (a, b) => (a ?? []).AsSpan().SequenceEqual(b ?? [])))
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, "binaryData", ImmutableDetail));
            }
        }

        return errors;
    }

    public override IReadOnlyList<object?> Cells(V1ConfigMap obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return [obj.Metadata?.Name, (long)((obj.Data?.Count ?? 0) + (obj.BinaryData?.Count ?? 0)), TableFormat.Age(obj.Metadata?.CreationTimestamp, now)];
    }

    /// <summary>apimachinery 1.32's TooLong wording for the 1 MiB limit.</summary>
    internal static FieldError TooLong(string path) =>
        new(FieldErrorType.TooLong, path, CoreValidation.Inv($"may not be more than {MaxSize} bytes"));

    internal static IEnumerable<FieldError> KeyErrors(string key, string mapPath) =>
        CoreValidation.ConfigMapKey(key).Select(m => new FieldError(FieldErrorType.Invalid, $"{mapPath}[{key}]", m, key));

    /// <summary>Equal maps, treating null and empty alike (as a Go DeepEqual of decoded objects mostly does).</summary>
    internal static bool SameMap<T>(IDictionary<string, T>? a, IDictionary<string, T>? b, Func<T, T, bool> equal)
    {
        var left = a ?? new Dictionary<string, T>();
        var right = b ?? new Dictionary<string, T>();
        return left.Count == right.Count && left.All(kv => right.TryGetValue(kv.Key, out var other) && equal(kv.Value, other));
    }
}
