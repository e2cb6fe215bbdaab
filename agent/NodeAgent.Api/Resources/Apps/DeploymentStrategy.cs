using System.Globalization;
using k8s.Models;
using NodeAgent.Api.Resources.Pods;
using NodeAgent.Api.Resources.Validation;
using static NodeAgent.Api.Resources.Validation.CommonRules;

namespace NodeAgent.Api.Resources.Apps;

/// <summary>apps/v1 Deployment: SetDefaults_Deployment, ValidateDeployment(Update), printDeployment.</summary>
public sealed class DeploymentStrategy : ResourceStrategy<V1Deployment>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Ready", "string", "Number of the pod with ready state"),
        new("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        new("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        AgeColumn,
        PodTemplates.ContainersColumn,
        PodTemplates.ImagesColumn,
        PodTemplates.SelectorColumn,
    ];

    public override void ApplyDefaults(V1Deployment obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj.Spec ??= new V1DeploymentSpec();
        var spec = obj.Spec;
        spec.Replicas ??= 1;
        spec.Strategy ??= new V1DeploymentStrategy();
        spec.Strategy.Type ??= "RollingUpdate";
        if (spec.Strategy.Type == "RollingUpdate")
        {
            spec.Strategy.RollingUpdate ??= new V1RollingUpdateDeployment();
            spec.Strategy.RollingUpdate.MaxUnavailable ??= "25%";
            spec.Strategy.RollingUpdate.MaxSurge ??= "25%";
        }

        spec.RevisionHistoryLimit ??= 10;
        spec.ProgressDeadlineSeconds ??= 600;
        PodTemplates.ApplyDefaults(spec.Template);
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1Deployment obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Spec ?? new V1DeploymentSpec();
        var errors = new List<FieldError>();
        errors.AddRange(NonNegative(spec.Replicas, "spec.replicas"));
        errors.AddRange(ReplicaSetTemplates.Validate(spec.Selector, spec.Template, "spec"));
        errors.AddRange(Strategy(spec.Strategy, "spec.strategy"));
        errors.AddRange(NonNegative(spec.MinReadySeconds, "spec.minReadySeconds"));
        errors.AddRange(NonNegative(spec.RevisionHistoryLimit, "spec.revisionHistoryLimit"));
        if (spec.ProgressDeadlineSeconds is { } deadline)
        {
            errors.AddRange(NonNegative(deadline, "spec.progressDeadlineSeconds"));
            if (deadline <= (spec.MinReadySeconds ?? 0))
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, "spec.progressDeadlineSeconds", "must be greater than minReadySeconds", deadline));
            }
        }

        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1Deployment obj, V1Deployment old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        return [.. ValidateCreate(obj), .. ReplicaSetTemplates.ImmutableSelector(obj.Spec?.Selector, old.Spec?.Selector, "spec.selector")];
    }

    public override IReadOnlyList<object?> Cells(V1Deployment obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var (names, images) = PodTemplates.ContainerCells(obj.Spec?.Template);
        var status = obj.Status ?? new V1DeploymentStatus();
        return
        [
            obj.Metadata?.Name,
            string.Create(CultureInfo.InvariantCulture, $"{status.ReadyReplicas ?? 0}/{obj.Spec?.Replicas ?? 0}"),
            (long)(status.UpdatedReplicas ?? 0),
            (long)(status.AvailableReplicas ?? 0),
            TableFormat.Age(obj.Metadata?.CreationTimestamp, now),
            names,
            images,
            LabelSelectors.ToSelectorString(obj.Spec?.Selector),
        ];
    }

    /// <summary>ValidateDeploymentStrategy and ValidateRollingUpdateDeployment.</summary>
    private static IEnumerable<FieldError> Strategy(V1DeploymentStrategy? strategy, string path)
    {
        switch (strategy?.Type)
        {
            case "Recreate":
                if (strategy.RollingUpdate is not null)
                {
                    yield return new FieldError(FieldErrorType.Forbidden, path.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'");
                }

                break;
            case "RollingUpdate":
                if (strategy.RollingUpdate is not { } rolling)
                {
                    yield return new FieldError(FieldErrorType.Required, path.Child("rollingUpdate"), "this should be defaulted and never be nil");
                    break;
                }

                var unavailablePath = path.Child("rollingUpdate", "maxUnavailable");
                foreach (var error in IntOrPercent(rolling.MaxUnavailable, unavailablePath).Concat(IntOrPercent(rolling.MaxSurge, path.Child("rollingUpdate", "maxSurge"))))
                {
                    yield return error;
                }

                if (ValueOf(rolling.MaxUnavailable) == 0 && ValueOf(rolling.MaxSurge) == 0)
                {
                    yield return new FieldError(FieldErrorType.Invalid, unavailablePath, "may not be 0 when `maxSurge` is 0", GoValue.IntOrString(rolling.MaxUnavailable));
                }

                if (rolling.MaxUnavailable?.Value is { } text && text.EndsWith('%') && ValueOf(rolling.MaxUnavailable) > 100)
                {
                    yield return new FieldError(FieldErrorType.Invalid, unavailablePath, "must not be greater than 100%", GoValue.IntOrString(rolling.MaxUnavailable));
                }

                break;
            default:
                yield return NotSupported(path.Child("type"), strategy?.Type ?? "", "Recreate", "RollingUpdate");
                break;
        }
    }

    private static IEnumerable<FieldError> IntOrPercent(IntOrString? value, string path)
    {
        var text = value?.Value;
        if (text is null)
        {
            return [];
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return NonNegative(number, path);
        }

        return NameRules.Percent(text).Select(m => new FieldError(FieldErrorType.Invalid, path, m, GoValue.IntOrString(value)));
    }

    /// <summary>getIntOrPercentValue: the number, with or without '%'.</summary>
    private static int ValueOf(IntOrString? value)
    {
        var text = value?.Value ?? "";
        return int.TryParse(text.TrimEnd('%'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : 0;
    }
}
