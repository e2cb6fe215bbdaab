using k8s;
using k8s.Models;

namespace NodeAgent.Api.Resources;

/// <summary>
/// Per-kind behaviour the generic REST handlers call, mirroring the upstream registry strategies.
/// Objects are KubernetesClient models of the resource's <see cref="ResourceDefinition.ModelType"/>.
/// The handlers themselves do everything generic: uid, creationTimestamp, generateName,
/// resourceVersion, generation, status/spec separation for kinds with a status subresource,
/// metadata validation (names, labels, annotations).
/// </summary>
public interface IResourceStrategy
{
    /// <summary>Fills defaults as upstream defaulting does (before validation, on create and update).</summary>
    void ApplyDefaults(object obj);

    /// <summary>Create-time preparation beyond the generic one (e.g. pods: status phase Pending).</summary>
    void PrepareForCreate(object obj);

    /// <summary>Errors in the kind-specific part of a new object (spec, data …).</summary>
    IReadOnlyList<FieldError> ValidateCreate(object obj);

    /// <summary>Errors in an update, including changes to immutable fields (<paramref name="old"/> is the stored object).</summary>
    IReadOnlyList<FieldError> ValidateUpdate(object obj, object old);

    /// <summary>
    /// The fields a field selector can use, with their string values (metadata.name and
    /// metadata.namespace always; e.g. pods add status.phase and spec.nodeName).
    /// </summary>
    IReadOnlyDictionary<string, string> SelectableFields(object obj);

    /// <summary>The Table columns for <c>kubectl get</c>; the first is always Name.</summary>
    IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The cells of one Table row, in <see cref="Columns"/> order.</summary>
    IReadOnlyList<object?> Cells(object obj, DateTimeOffset now);
}

/// <summary>Typed base: a kind overrides only what differs from the generic behaviour.</summary>
public abstract class ResourceStrategy<T> : IResourceStrategy
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    protected static readonly TableColumn NameColumn =
        new("Name", "string", "Name must be unique within a namespace.", Format: "name");

    protected static readonly TableColumn AgeColumn =
        new("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.");

    public virtual IReadOnlyList<TableColumn> Columns { get; } = [NameColumn, AgeColumn];

    public virtual void ApplyDefaults(T obj)
    {
    }

    public virtual void PrepareForCreate(T obj)
    {
    }

    public virtual IReadOnlyList<FieldError> ValidateCreate(T obj) => [];

    public virtual IReadOnlyList<FieldError> ValidateUpdate(T obj, T old) => ValidateCreate(obj);

    /// <summary>Kind-specific selectable fields; metadata.name and metadata.namespace are added for every kind.</summary>
    public virtual IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(T obj) => [];

    public virtual IReadOnlyList<object?> Cells(T obj, DateTimeOffset now) =>
        [obj.Metadata?.Name, TableFormat.Age(obj.Metadata?.CreationTimestamp, now)];

    void IResourceStrategy.ApplyDefaults(object obj) => ApplyDefaults((T)obj);

    void IResourceStrategy.PrepareForCreate(object obj) => PrepareForCreate((T)obj);

    IReadOnlyList<FieldError> IResourceStrategy.ValidateCreate(object obj) => ValidateCreate((T)obj);

    IReadOnlyList<FieldError> IResourceStrategy.ValidateUpdate(object obj, object old) => ValidateUpdate((T)obj, (T)old);

    IReadOnlyDictionary<string, string> IResourceStrategy.SelectableFields(object obj)
    {
        var typed = (T)obj;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["metadata.name"] = typed.Metadata?.Name ?? "",
            ["metadata.namespace"] = typed.Metadata?.NamespaceProperty ?? "",
        };
        foreach (var (key, value) in ExtraSelectableFields(typed))
        {
            fields[key] = value;
        }

        return fields;
    }

    IReadOnlyList<object?> IResourceStrategy.Cells(object obj, DateTimeOffset now) => Cells((T)obj, now);
}

/// <summary>The strategy of a kind with nothing kind-specific (yet): generic handling only.</summary>
public sealed class GenericStrategy<T> : ResourceStrategy<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
}
