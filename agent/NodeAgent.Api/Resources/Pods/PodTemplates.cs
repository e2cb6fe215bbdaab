using k8s.Models;
using NodeAgent.Api.Resources.Validation;

namespace NodeAgent.Api.Resources.Pods;

/// <summary>What every workload kind does with its pod template: defaults, validation, the CONTAINERS/IMAGES cells.</summary>
public static class PodTemplates
{
    public static readonly TableColumn ContainersColumn = new("Containers", "string", "Names of each container in the template.", Priority: 1);

    public static readonly TableColumn ImagesColumn = new("Images", "string", "Images referenced by each container in the template.", Priority: 1);

    public static readonly TableColumn SelectorColumn = new("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", Priority: 1);

    public static void ApplyDefaults(V1PodTemplateSpec? template)
    {
        if (template?.Spec is { } spec)
        {
            PodSpecDefaults.ApplyToSpec(spec);
        }
    }

    /// <summary>ValidatePodTemplateSpec: template labels, then the pod spec at <c>path.spec</c>.</summary>
    public static IReadOnlyList<FieldError> Validate(V1PodTemplateSpec? template, string path)
    {
        if (template is null)
        {
            return [new FieldError(FieldErrorType.Required, path)];
        }

        var errors = CommonRules.Labels(template.Metadata?.Labels, path.Child("metadata", "labels")).ToList();
        errors.AddRange(PodSpecValidation.Validate(template.Spec, path.Child("spec")));
        if (template.Spec?.EphemeralContainers is { Count: > 0 })
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, path.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"));
        }

        return errors;
    }

    /// <summary>The comma-joined container names and images (layoutContainerCells).</summary>
    public static (string Names, string Images) ContainerCells(V1PodTemplateSpec? template)
    {
        var containers = template?.Spec?.Containers ?? [];
        return (string.Join(',', containers.Select(c => c.Name)), string.Join(',', containers.Select(c => c.Image)));
    }
}
