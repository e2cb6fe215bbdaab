using k8s.Models;
using NodeAgent.Api.Resources.Pods;
using NodeAgent.Api.Resources.Validation;
using static NodeAgent.Api.Resources.Validation.CommonRules;

namespace NodeAgent.Api.Resources.Batch;

/// <summary>batch/v1 CronJob: SetDefaults_CronJob, ValidateCronJob(Create|Update), printCronJob.</summary>
public sealed class CronJobStrategy : ResourceStrategy<V1CronJob>
{
    /// <summary>Job names get an 11-character suffix and must stay DNS-1035 labels (63).</summary>
    public const int MaxNameLength = 52;

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        new("Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
        new("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false."),
        new("Active", "integer", "A list of pointers to currently running jobs."),
        new("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
        AgeColumn,
        PodTemplates.ContainersColumn,
        PodTemplates.ImagesColumn,
        new("Selector", "string", "A label query over pods that should match the pod count.", Priority: 1),
    ];

    public override void ApplyDefaults(V1CronJob obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj.Spec ??= new V1CronJobSpec();
        var spec = obj.Spec;
        spec.ConcurrencyPolicy ??= "Allow";
        spec.Suspend ??= false;
        spec.SuccessfulJobsHistoryLimit ??= 3;
        spec.FailedJobsHistoryLimit ??= 1;

        // Only the pod template inside is defaulted; the job spec gets its defaults when a Job is made.
        PodTemplates.ApplyDefaults(spec.JobTemplate?.Spec?.Template);
    }

    public override void PrepareForCreate(V1CronJob obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj.Status = null;
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1CronJob obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        var name = obj.Metadata?.Name ?? "";
        if (name.Length > MaxNameLength)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "metadata.name", $"must be no more than {MaxNameLength} characters", name));
        }

        errors.AddRange(Spec(obj.Spec, allowTzInSchedule: false));
        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1CronJob obj, V1CronJob old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);

        // A TZ= prefix stays allowed on objects that already had one (created before the rule).
        var allowTz = old.Spec?.Schedule?.Contains("TZ", StringComparison.Ordinal) == true;
        return Spec(obj.Spec, allowTz);
    }

    public override IReadOnlyList<object?> Cells(V1CronJob obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Spec ?? new V1CronJobSpec();
        var lastSchedule = obj.Status?.LastScheduleTime is { } last ? TableFormat.Age(last, now) : "<none>";
        var (names, images) = PodTemplates.ContainerCells(spec.JobTemplate?.Spec?.Template);
        return
        [
            obj.Metadata?.Name,
            spec.Schedule,
            spec.TimeZone ?? "<none>",
            spec.Suspend is { } suspend ? (suspend ? "True" : "False") : "<unset>",
            (long)(obj.Status?.Active?.Count ?? 0),
            lastSchedule,
            TableFormat.Age(obj.Metadata?.CreationTimestamp, now),
            names,
            images,
            LabelSelectors.Format(spec.JobTemplate?.Spec?.Selector),
        ];
    }

    private static List<FieldError> Spec(V1CronJobSpec? spec, bool allowTzInSchedule)
    {
        var errors = new List<FieldError>();
        if (spec is null)
        {
            errors.Add(new FieldError(FieldErrorType.Required, "spec"));
            return errors;
        }

        if (string.IsNullOrEmpty(spec.Schedule))
        {
            errors.Add(new FieldError(FieldErrorType.Required, "spec.schedule"));
        }
        else
        {
            errors.AddRange(Schedule(spec.Schedule, allowTzInSchedule, spec.TimeZone, "spec.schedule"));
        }

        errors.AddRange(NonNegative(spec.StartingDeadlineSeconds, "spec.startingDeadlineSeconds"));
        errors.AddRange(OneOf(spec.ConcurrencyPolicy, "spec.concurrencyPolicy", "Allow", "Forbid", "Replace"));
        errors.AddRange(JobTemplate(spec.JobTemplate, "spec.jobTemplate"));
        errors.AddRange(NonNegative(spec.SuccessfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
        errors.AddRange(NonNegative(spec.FailedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
        errors.AddRange(TimeZone(spec.TimeZone, "spec.timeZone"));
        return errors;
    }

    private static IEnumerable<FieldError> Schedule(string schedule, bool allowTzInSchedule, string? timeZone, string path)
    {
        if (CronSchedule.Check(schedule) is { } error)
        {
            yield return new FieldError(FieldErrorType.Invalid, path, error, schedule);
        }

        if (schedule.Contains("TZ", StringComparison.Ordinal))
        {
            if (allowTzInSchedule && timeZone is not null)
            {
                yield return new FieldError(FieldErrorType.Invalid, path, "cannot use both timeZone field and TZ or CRON_TZ in schedule", schedule);
            }
            else if (!allowTzInSchedule)
            {
                yield return new FieldError(FieldErrorType.Invalid, path, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead", schedule);
            }
        }
    }

    /// <summary>ValidateJobTemplateSpec: the job spec rules, and no selector (it is generated for each Job).</summary>
    private static IEnumerable<FieldError> JobTemplate(V1JobTemplateSpec? template, string path)
    {
        var specPath = path.Child("spec");
        if (template?.Spec is not { } spec)
        {
            yield return new FieldError(FieldErrorType.Required, specPath);
            yield break;
        }

        foreach (var error in JobSpecValidation.Validate(spec, specPath))
        {
            yield return error;
        }

        if (spec.Selector is not null)
        {
            yield return new FieldError(FieldErrorType.Invalid, specPath.Child("selector"), "`selector` will be auto-generated", GoValue.Selector(spec.Selector));
        }

        if (spec.ManualSelector == true)
        {
            yield return NotSupported(specPath.Child("manualSelector"), true, "nil", "false");
        }
    }

    private static IEnumerable<FieldError> TimeZone(string? zone, string path)
    {
        if (zone is null)
        {
            yield break;
        }

        if (zone.Length == 0)
        {
            yield return new FieldError(FieldErrorType.Invalid, path, "timeZone must be nil or non-empty string", zone);
            yield break;
        }

        if (string.Equals(zone, "Local", StringComparison.OrdinalIgnoreCase))
        {
            yield return new FieldError(FieldErrorType.Invalid, path, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones", zone);
        }
        else if (TimeZones.Check(zone) is { } error)
        {
            yield return new FieldError(FieldErrorType.Invalid, path, error, zone);
        }
    }
}
