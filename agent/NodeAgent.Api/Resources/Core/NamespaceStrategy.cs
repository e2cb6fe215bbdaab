using k8s.Models;

namespace NodeAgent.Api.Resources.Core;

/// <summary>core/v1 Namespace: upstream pkg/registry/core/namespace/strategy.go and defaults.go.</summary>
public sealed class NamespaceStrategy : ResourceStrategy<V1Namespace>
{
    /// <summary>The finalizer the namespace controller removes once the namespace's content is gone.</summary>
    public const string KubernetesFinalizer = "kubernetes";

    /// <summary>The label every namespace carries with its own name (upstream defaulting since 1.21).</summary>
    public const string NameLabel = "kubernetes.io/metadata.name";

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Status", "string", "The status of the namespace"),
        AgeColumn,
    ];

    public override void ApplyDefaults(V1Namespace obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Metadata?.Name is { Length: > 0 } name)
        {
            obj.Metadata.Labels ??= new Dictionary<string, string>();
            obj.Metadata.Labels[NameLabel] = name;
        }

        if (obj.Status is { Phase: null or "" } status)
        {
            status.Phase = "Active";
        }
    }

    public override void PrepareForCreate(V1Namespace obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj.Spec ??= new V1NamespaceSpec();
        obj.Spec.Finalizers ??= [];
        if (!obj.Spec.Finalizers.Contains(KubernetesFinalizer))
        {
            obj.Spec.Finalizers.Add(KubernetesFinalizer);
        }

        obj.Status = new V1NamespaceStatus { Phase = "Active" };
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1Namespace obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        var name = obj.Metadata?.Name ?? "";
        if (name.Length > 0)
        {
            errors.AddRange(CoreValidation.Dns1123Label(name).Select(m => new FieldError(FieldErrorType.Invalid, "metadata.name", m, name)));
        }

        var finalizers = obj.Spec?.Finalizers ?? [];
        foreach (var finalizer in finalizers)
        {
            // Upstream reports these at the list's path, without an index.
            errors.AddRange(CoreValidation.QualifiedName(finalizer)
                .Select(m => new FieldError(FieldErrorType.Invalid, "spec.finalizers", m, finalizer)));
        }

        return errors;
    }

    /// <summary>
    /// Spec finalizers only change through the <c>finalize</c> subresource, so an update keeps the stored ones
    /// (upstream does this in PrepareForUpdate; the contract has no such hook, so it happens before validating).
    /// </summary>
    public override IReadOnlyList<FieldError> ValidateUpdate(V1Namespace obj, V1Namespace old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        obj.Spec ??= new V1NamespaceSpec();
        obj.Spec.Finalizers = old.Spec?.Finalizers is { } finalizers ? [.. finalizers] : null;
        return ValidateCreate(obj);
    }

    public override IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(V1Namespace obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        yield return new("status.phase", obj.Status?.Phase ?? "");
    }

    public override IReadOnlyList<object?> Cells(V1Namespace obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return [obj.Metadata?.Name, obj.Status?.Phase ?? "", TableFormat.Age(obj.Metadata?.CreationTimestamp, now)];
    }
}
