using System.Globalization;
using k8s.Models;

namespace NodeAgent.Api.Resources.Pods;

/// <summary>core/v1 pods: upstream's pod registry strategy, defaulting and admission defaults, printer.</summary>
public class PodStrategy : ResourceStrategy<V1Pod>
{
    public override IReadOnlyList<TableColumn> Columns => PodTable.Columns;

    public override void ApplyDefaults(V1Pod obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        PodSpecDefaults.ApplyToPod(obj);
    }

    /// <summary>Admission defaults, then a fresh status: phase Pending with the QoS class (and SchedulingGated when gated).</summary>
    public override void PrepareForCreate(V1Pod obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        PodSpecDefaults.ApplyAdmission(obj);
        obj.Status = new V1PodStatus { Phase = "Pending", QosClass = PodQos.ClassOf(obj.Spec) };
        if (obj.Spec.SchedulingGates is { Count: > 0 })
        {
            obj.Status.Conditions =
            [
                new V1PodCondition
                {
                    Type = "PodScheduled",
                    Status = "False",
                    Reason = "SchedulingGated",
                    Message = "Scheduling is blocked due to non-empty scheduling gates",
                },
            ];
        }
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1Pod obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = PodSpecValidation.Validate(obj.Spec, "spec").ToList();
        if (obj.Spec?.EphemeralContainers is { Count: > 0 })
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.ephemeralContainers", "cannot be set on create"));
        }

        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1Pod obj, V1Pod old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return [.. PodSpecValidation.Validate(obj.Spec, "spec"), .. PodUpdateValidation.Validate(obj, old)];
    }

    public override IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(V1Pod obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Spec ?? new V1PodSpec();
        var status = obj.Status ?? new V1PodStatus();
        return new Dictionary<string, string>
        {
            ["spec.nodeName"] = spec.NodeName ?? "",
            ["spec.restartPolicy"] = spec.RestartPolicy ?? "",
            ["spec.schedulerName"] = spec.SchedulerName ?? "",
            ["spec.serviceAccountName"] = spec.ServiceAccountName ?? "",
            ["spec.hostNetwork"] = (spec.HostNetwork ?? false).ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
            ["status.phase"] = status.Phase ?? "",
            ["status.podIP"] = status.PodIPs?.FirstOrDefault()?.Ip ?? status.PodIP ?? "",
            ["status.nominatedNodeName"] = status.NominatedNodeName ?? "",
        };
    }

    public override IReadOnlyList<object?> Cells(V1Pod obj, DateTimeOffset now) => PodTable.Cells(obj, now);
}

/// <summary>Pods with upstream's ServiceAccount admission plugin on create (<see cref="ServiceAccountAdmission"/>).</summary>
public sealed class ServiceAccountPodStrategy(ServiceAccountAdmission serviceAccounts) : PodStrategy, IAsyncAdmission
{
    public Task AdmitCreateAsync(object obj, CancellationToken ct) => serviceAccounts.AdmitAsync((V1Pod)obj, ct);

    public Task AdmitUpdateAsync(object obj, object old, CancellationToken ct) => Task.CompletedTask;

    public Task ReleaseAsync(object obj, CancellationToken ct) => Task.CompletedTask;
}
