using k8s;
using k8s.Models;
using NodeAgent.Api.Resources.Validation;

namespace NodeAgent.Api.Resources.Pods;

/// <summary>
/// Upstream's ValidatePodUpdate: a pod's spec is immutable except container images, a shorter
/// activeDeadlineSeconds, added tolerations (or changed tolerationSeconds), removed scheduling gates,
/// and terminationGracePeriodSeconds going from negative to 1.
/// </summary>
public static class PodUpdateValidation
{
    public const string ForbiddenMessage =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    public static IReadOnlyList<FieldError> Validate(V1Pod pod, V1Pod old)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(old);
        var spec = pod.Spec ?? new V1PodSpec();
        var oldSpec = old.Spec ?? new V1PodSpec();
        var errors = new List<FieldError>();
        if (!ContainerUpdates(spec.Containers, oldSpec.Containers, "spec.containers", errors)
            || !ContainerUpdates(spec.InitContainers, oldSpec.InitContainers, "spec.initContainers", errors))
        {
            return errors;
        }

        if (!ActiveDeadline(spec.ActiveDeadlineSeconds, oldSpec.ActiveDeadlineSeconds, errors))
        {
            return errors;
        }

        Tolerations(spec.Tolerations, oldSpec.Tolerations, errors);

        // Everything else must be unchanged: copy the mutable fields from the new spec onto a copy of
        // the old one and compare the two specs as the client serialises them.
        var munged = Clone(spec);
        for (var i = 0; i < (munged.Containers?.Count ?? 0); i++)
        {
            munged.Containers![i].Image = oldSpec.Containers![i].Image;
        }

        for (var i = 0; i < (munged.InitContainers?.Count ?? 0); i++)
        {
            munged.InitContainers![i].Image = oldSpec.InitContainers![i].Image;
        }

        munged.ActiveDeadlineSeconds = oldSpec.ActiveDeadlineSeconds;
        munged.Tolerations = oldSpec.Tolerations;
        if (oldSpec.TerminationGracePeriodSeconds is < 0 && spec.TerminationGracePeriodSeconds == 1)
        {
            munged.TerminationGracePeriodSeconds = oldSpec.TerminationGracePeriodSeconds;
        }

        // Scheduling gates may only be removed.
        var gates = spec.SchedulingGates ?? [];
        var oldGates = oldSpec.SchedulingGates ?? [];
        if (gates.All(g => oldGates.Any(o => o.Name == g.Name)))
        {
            munged.SchedulingGates = oldSpec.SchedulingGates;
        }

        var changed = ChangedFields(munged, oldSpec);
        if (changed.Count > 0)
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, "spec", ForbiddenMessage + "\n  changed: " + string.Join(", ", changed.Select(f => "spec." + f))));
        }

        return errors;
    }

    private static bool ContainerUpdates(IList<V1Container>? containers, IList<V1Container>? old, string path, List<FieldError> errors)
    {
        if ((containers?.Count ?? 0) != (old?.Count ?? 0))
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, path, "pod updates may not add or remove containers"));
            return false;
        }

        for (var i = 0; i < (containers?.Count ?? 0); i++)
        {
            var image = containers![i].Image;
            if (string.IsNullOrEmpty(image))
            {
                errors.Add(new FieldError(FieldErrorType.Required, path.Index(i).Child("image")));
            }
        }

        return true;
    }

    private static bool ActiveDeadline(long? deadline, long? old, List<FieldError> errors)
    {
        const string path = "spec.activeDeadlineSeconds";
        if (deadline is { } value)
        {
            if (value is < 0 or > int.MaxValue)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, path, NameRules.InclusiveRange(0, int.MaxValue), value));
                return false;
            }

            if (old is { } previous && previous < value)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, path, "must be less than or equal to previous value", value));
                return false;
            }
        }
        else if (old is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, "must not update from a positive integer to nil value"));
        }

        return true;
    }

    /// <summary>Every old toleration must still be there, except that its tolerationSeconds may change.</summary>
    private static void Tolerations(IList<V1Toleration>? tolerations, IList<V1Toleration>? old, List<FieldError> errors)
    {
        var current = tolerations ?? [];
        foreach (var previous in old ?? [])
        {
            if (!current.Any(t => t.Key == previous.Key && t.OperatorProperty == previous.OperatorProperty && t.Value == previous.Value && t.Effect == previous.Effect))
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
                return;
            }
        }
    }

    /// <summary>Top-level spec fields whose JSON differs (upstream prints a Go diff here; we name the fields).</summary>
    private static List<string> ChangedFields(V1PodSpec spec, V1PodSpec old)
    {
        var now = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(spec))!.AsObject();
        var before = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(old))!.AsObject();
        return now.Select(p => p.Key).Union(before.Select(p => p.Key))
            .Where(k => !System.Text.Json.Nodes.JsonNode.DeepEquals(now[k], before[k]))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static V1PodSpec Clone(V1PodSpec spec) => KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(spec));
}
