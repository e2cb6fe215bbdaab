using k8s.Models;
using NodeAgent.Api.Resources.Pods;
using NodeAgent.Api.Resources.Validation;
using static NodeAgent.Api.Resources.Validation.CommonRules;

namespace NodeAgent.Api.Resources.Apps;

/// <summary>apps/v1 ReplicaSet: SetDefaults_ReplicaSet, ValidateReplicaSet(Update), printReplicaSet.</summary>
public sealed class ReplicaSetStrategy : ResourceStrategy<V1ReplicaSet>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Desired", "integer", "Replicas is the number of desired replicas."),
        new("Current", "integer", "Replicas is the most recently observed number of replicas."),
        new("Ready", "integer", "The number of ready replicas for this replica set."),
        AgeColumn,
        PodTemplates.ContainersColumn,
        PodTemplates.ImagesColumn,
        PodTemplates.SelectorColumn,
    ];

    public override void ApplyDefaults(V1ReplicaSet obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj.Spec ??= new V1ReplicaSetSpec();
        obj.Spec.Replicas ??= 1;
        PodTemplates.ApplyDefaults(obj.Spec.Template);
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1ReplicaSet obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Spec ?? new V1ReplicaSetSpec();
        return
        [
            .. NonNegative(spec.Replicas, "spec.replicas"),
            .. NonNegative(spec.MinReadySeconds, "spec.minReadySeconds"),
            .. ReplicaSetTemplates.Validate(spec.Selector, spec.Template, "spec"),
        ];
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1ReplicaSet obj, V1ReplicaSet old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        return [.. ValidateCreate(obj), .. ReplicaSetTemplates.ImmutableSelector(obj.Spec?.Selector, old.Spec?.Selector, "spec.selector")];
    }

    public override IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(V1ReplicaSet obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        yield return new("status.replicas", (obj.Status?.Replicas ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public override IReadOnlyList<object?> Cells(V1ReplicaSet obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var (names, images) = PodTemplates.ContainerCells(obj.Spec?.Template);
        return
        [
            obj.Metadata?.Name,
            (long)(obj.Spec?.Replicas ?? 0),
            (long)(obj.Status?.Replicas ?? 0),
            (long)(obj.Status?.ReadyReplicas ?? 0),
            TableFormat.Age(obj.Metadata?.CreationTimestamp, now),
            names,
            images,
            LabelSelectors.ToSelectorString(obj.Spec?.Selector),
        ];
    }
}
