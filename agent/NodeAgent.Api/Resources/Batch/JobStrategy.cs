using k8s;
using k8s.Models;
using NodeAgent.Api.Resources.Pods;
using NodeAgent.Api.Resources.Validation;
using static NodeAgent.Api.Resources.Validation.CommonRules;

namespace NodeAgent.Api.Resources.Batch;

/// <summary>batch/v1 Job: SetDefaults_Job, the generated selector and labels, ValidateJob(Update), printJob (1.32).</summary>
public sealed class JobStrategy : ResourceStrategy<V1Job>
{
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string LegacyControllerUidLabel = "controller-uid";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string LegacyJobNameLabel = "job-name";

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Status", "string", "Status of the job."),
        new("Completions", "string", "The number of pods which reached phase Succeeded."),
        new("Duration", "string", "Time required to complete the job."),
        AgeColumn,
        PodTemplates.ContainersColumn,
        PodTemplates.ImagesColumn,
        new("Selector", "string", "A label query over pods that should match the pod count.", Priority: 1),
    ];

    public override void ApplyDefaults(V1Job obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj.Spec ??= new V1JobSpec();
        var spec = obj.Spec;

        // A non-parallel job may leave both unset: then both are 1.
        if (spec.Completions is null && spec.Parallelism is null)
        {
            spec.Completions = 1;
        }

        spec.Parallelism ??= 1;
        spec.BackoffLimit ??= spec.BackoffLimitPerIndex is null ? 6 : int.MaxValue;
        CopyTemplateLabels(obj);
        spec.CompletionMode ??= "NonIndexed";
        spec.Suspend ??= false;
        foreach (var pattern in (spec.PodFailurePolicy?.Rules ?? []).SelectMany(r => r.OnPodConditions ?? []))
        {
            pattern.Status ??= "True";
        }

        spec.PodReplacementPolicy ??= spec.PodFailurePolicy is null ? "TerminatingOrFailed" : "Failed";
        PodTemplates.ApplyDefaults(spec.Template);
    }

    /// <summary>
    /// Unless manualSelector is true: label the template with the job's uid and name and select on
    /// the uid (upstream generateSelector). Needs the uid the handler has just assigned.
    /// </summary>
    public override void PrepareForCreate(V1Job obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj.Spec ??= new V1JobSpec();
        obj.Status = null;
        if (obj.Spec.ManualSelector != true)
        {
            GenerateSelector(obj);
        }

        // Upstream stores the job and defaults it again on every read, which copies the generated
        // template labels onto a job that had none; do it once here so reads look the same.
        CopyTemplateLabels(obj);
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1Job obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Spec ?? new V1JobSpec();
        var errors = new List<FieldError>();
        errors.AddRange(GeneratedSelector(obj));
        errors.AddRange(SelectorAndTemplate(spec));
        errors.AddRange(JobSpecValidation.Validate(spec, "spec"));
        return errors;
    }

    public override IReadOnlyList<FieldError> ValidateUpdate(V1Job obj, V1Job old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var spec = obj.Spec ?? new V1JobSpec();
        var oldSpec = old.Spec ?? new V1JobSpec();
        var errors = new List<FieldError>();
        errors.AddRange(SelectorAndTemplate(spec));
        errors.AddRange(JobSpecValidation.Validate(spec, "spec"));
        if (!LabelSelectors.Same(spec.Selector, oldSpec.Selector))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.selector", ImmutableMessage, GoValue.Selector(spec.Selector)));
        }

        var elasticIndexed = spec.CompletionMode == "Indexed" && spec.Completions == spec.Parallelism;
        if (spec.Completions != oldSpec.Completions && !elasticIndexed)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.completions", ImmutableMessage, (object?)spec.Completions ?? new GoValue("null")));
        }

        Immutable(spec.CompletionMode, oldSpec.CompletionMode, "spec.completionMode", errors);
        Immutable(spec.BackoffLimitPerIndex, oldSpec.BackoffLimitPerIndex, "spec.backoffLimitPerIndex", errors);
        Immutable(spec.ManagedBy, oldSpec.ManagedBy, "spec.managedBy", errors);
        if (Json(spec.PodFailurePolicy) != Json(oldSpec.PodFailurePolicy))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.podFailurePolicy", ImmutableMessage, new GoValue("batch.PodFailurePolicy{…}")));
        }

        if (Json(MutableTemplateFieldsCleared(spec.Template, old)) != Json(MutableTemplateFieldsCleared(oldSpec.Template, old)))
        {
            // Upstream prints the whole core.PodTemplateSpec as the bad value; we print its type only.
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.template", ImmutableMessage, new GoValue("core.PodTemplateSpec{…}")));
        }

        return errors;
    }

    public override IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(V1Job obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        yield return new("status.successful", (obj.Status?.Succeeded ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public override IReadOnlyList<object?> Cells(V1Job obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Spec ?? new V1JobSpec();
        var status = obj.Status ?? new V1JobStatus();
        var succeeded = status.Succeeded ?? 0;
        var completions = spec.Completions is { } c
            ? $"{succeeded}/{c}"
            : spec.Parallelism is > 1 ? $"{succeeded}/1 of {spec.Parallelism}" : $"{succeeded}/1";
        var duration = status.StartTime is not { } start
            ? ""
            : TableFormat.ShortDuration((status.CompletionTime is { } done ? Utc(done) : now) - Utc(start));
        var (names, images) = PodTemplates.ContainerCells(spec.Template);
        return
        [
            obj.Metadata?.Name,
            StatusOf(obj),
            completions,
            duration,
            TableFormat.Age(obj.Metadata?.CreationTimestamp, now),
            names,
            images,
            LabelSelectors.Format(spec.Selector),
        ];
    }

    /// <summary>The STATUS cell (1.32): Complete, Failed, Terminating, Suspended, FailureTarget, SuccessCriteriaMet or Running.</summary>
    public static string StatusOf(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        bool Has(string type) => job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;
        if (Has("Complete"))
        {
            return "Complete";
        }

        if (Has("Failed"))
        {
            return "Failed";
        }

        if (job.Metadata?.DeletionTimestamp is not null)
        {
            return "Terminating";
        }

        if (Has("Suspended"))
        {
            return "Suspended";
        }

        if (Has("FailureTarget"))
        {
            return "FailureTarget";
        }

        return Has("SuccessCriteriaMet") ? "SuccessCriteriaMet" : "Running";
    }

    private static void GenerateSelector(V1Job job)
    {
        var spec = job.Spec;
        spec.Template ??= new V1PodTemplateSpec();
        spec.Template.Metadata ??= new V1ObjectMeta();
        var labels = spec.Template.Metadata.Labels ??= new Dictionary<string, string>();
        var name = job.Metadata?.Name ?? "";
        var uid = job.Metadata?.Uid ?? "";

        // Labels the user set are kept (a conflicting one fails validation). Added in the sorted
        // order Go prints maps in, so our JSON reads like a real cluster's.
        labels.TryAdd(ControllerUidLabel, uid);
        labels.TryAdd(JobNameLabel, name);
        labels.TryAdd(LegacyControllerUidLabel, uid);
        labels.TryAdd(LegacyJobNameLabel, name);
        spec.Selector ??= new V1LabelSelector();
        spec.Selector.MatchLabels ??= new Dictionary<string, string>();
        spec.Selector.MatchLabels.TryAdd(ControllerUidLabel, uid);
    }

    /// <summary>SetDefaults_Job: a job without labels takes its template's.</summary>
    private static void CopyTemplateLabels(V1Job job)
    {
        if (job.Spec?.Template?.Metadata?.Labels is { } labels && (job.Metadata?.Labels?.Count ?? 0) == 0)
        {
            job.Metadata ??= new V1ObjectMeta();
            job.Metadata.Labels = new Dictionary<string, string>(labels);
        }
    }

    /// <summary>ValidateGeneratedSelector: unless manual, the selector is exactly the uid label and the template carries the four labels.</summary>
    private static IEnumerable<FieldError> GeneratedSelector(V1Job job)
    {
        var spec = job.Spec;
        var uid = job.Metadata?.Uid;
        if (spec?.ManualSelector == true || spec?.Selector is null || string.IsNullOrEmpty(uid))
        {
            yield break;
        }

        var labels = spec.Template?.Metadata?.Labels;
        var templateMeta = "spec.template.metadata";
        foreach (var (key, expected) in new[]
        {
            (LegacyControllerUidLabel, uid), (LegacyJobNameLabel, job.Metadata?.Name ?? ""),
            (ControllerUidLabel, uid), (JobNameLabel, job.Metadata?.Name ?? ""),
        })
        {
            if (labels is null || !labels.TryGetValue(key, out var actual))
            {
                yield return new FieldError(FieldErrorType.Required, templateMeta.Child("labels").Key(key), $"must be '{expected}'");
            }
            else if (actual != expected)
            {
                yield return new FieldError(FieldErrorType.Invalid, templateMeta.Child("labels").Key(key), $"must be '{expected}'", actual);
            }
        }

        var selector = spec.Selector;
        var generated = (selector.MatchExpressions?.Count ?? 0) == 0
            && selector.MatchLabels is { Count: 1 } matchLabels
            && matchLabels.TryGetValue(ControllerUidLabel, out var selected) && selected == uid;
        if (!generated)
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.selector", "`selector` not auto-generated", GoValue.Selector(selector));
        }
    }

    /// <summary>ValidateJobSpec's selector part: required (once generated), valid, matching the template.</summary>
    private static IEnumerable<FieldError> SelectorAndTemplate(V1JobSpec spec)
    {
        if (spec.Selector is null)
        {
            // Before PrepareForCreate an automatic selector does not exist yet.
            if (spec.ManualSelector == true)
            {
                yield return new FieldError(FieldErrorType.Required, "spec.selector");
            }

            yield break;
        }

        foreach (var error in LabelSelectors.Validate(spec.Selector, "spec.selector"))
        {
            yield return error;
        }

        if (!LabelSelectors.Matches(spec.Selector, spec.Template?.Metadata?.Labels))
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.template.metadata.labels", LabelSelectors.SelectorMismatch, GoValue.Map(spec.Template?.Metadata?.Labels));
        }
    }

    /// <summary>
    /// A copy of the template without what may change: a suspended job that never started may change
    /// its node selector, affinity, tolerations, scheduling gates, labels and annotations.
    /// </summary>
    private static V1PodTemplateSpec? MutableTemplateFieldsCleared(V1PodTemplateSpec? template, V1Job old)
    {
        if (template is null || old.Spec?.Suspend != true || old.Status?.StartTime is not null)
        {
            return template;
        }

        var copy = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(template));
        if (copy.Metadata is { } meta)
        {
            meta.Labels = null;
            meta.Annotations = null;
        }

        if (copy.Spec is { } podSpec)
        {
            podSpec.NodeSelector = null;
            podSpec.Affinity = null;
            podSpec.Tolerations = null;
            podSpec.SchedulingGates = null;
        }

        return copy;
    }

    private static void Immutable<TValue>(TValue value, TValue old, string path, List<FieldError> errors)
    {
        if (!EqualityComparer<TValue>.Default.Equals(value, old))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, ImmutableMessage, (object?)value ?? new GoValue("null")));
        }
    }

    private static string Json(object? value) => value is null ? "null" : KubernetesJson.Serialize(value);

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
