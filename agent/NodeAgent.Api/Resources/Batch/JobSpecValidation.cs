using k8s.Models;
using NodeAgent.Api.Resources.Pods;
using NodeAgent.Api.Resources.Validation;
using static NodeAgent.Api.Resources.Validation.CommonRules;

namespace NodeAgent.Api.Resources.Batch;

/// <summary>Upstream's validateJobSpec: the rules a Job and a CronJob's jobTemplate share.</summary>
public static class JobSpecValidation
{
    private const int MaxParallelismForIndexedJob = 100000;

    public static IReadOnlyList<FieldError> Validate(V1JobSpec? spec, string path)
    {
        if (spec is null)
        {
            return [new FieldError(FieldErrorType.Required, path)];
        }

        var errors = new List<FieldError>();
        errors.AddRange(NonNegative(spec.Parallelism, path.Child("parallelism")));
        errors.AddRange(NonNegative(spec.Completions, path.Child("completions")));
        errors.AddRange(NonNegative(spec.ActiveDeadlineSeconds, path.Child("activeDeadlineSeconds")));
        errors.AddRange(NonNegative(spec.BackoffLimit, path.Child("backoffLimit")));
        errors.AddRange(NonNegative(spec.TtlSecondsAfterFinished, path.Child("ttlSecondsAfterFinished")));
        errors.AddRange(NonNegative(spec.BackoffLimitPerIndex, path.Child("backoffLimitPerIndex")));
        if (spec.CompletionMode is { } mode)
        {
            if (mode is not ("NonIndexed" or "Indexed"))
            {
                errors.Add(NotSupported(path.Child("completionMode"), mode, "NonIndexed", "Indexed"));
            }

            if (mode == "Indexed")
            {
                if (spec.Completions is null)
                {
                    errors.Add(new FieldError(FieldErrorType.Required, path.Child("completions"), "when completion mode is Indexed"));
                }

                if (spec.Parallelism > MaxParallelismForIndexedJob)
                {
                    errors.Add(new FieldError(FieldErrorType.Invalid, path.Child("parallelism"), $"must be less than or equal to {MaxParallelismForIndexedJob} when completion mode is Indexed", spec.Parallelism.Value));
                }
            }
            else if (spec.BackoffLimitPerIndex is not null)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, path.Child("backoffLimitPerIndex"), "requires indexed completion mode"));
            }
        }

        if (spec.PodReplacementPolicy is { } replacement && replacement is not ("TerminatingOrFailed" or "Failed"))
        {
            errors.Add(NotSupported(path.Child("podReplacementPolicy"), replacement, "Failed", "TerminatingOrFailed"));
        }

        var templatePath = path.Child("template");
        errors.AddRange(PodTemplates.Validate(spec.Template, templatePath));
        var restartPolicy = spec.Template?.Spec?.RestartPolicy;
        if (spec.Template?.Spec is not null && restartPolicy is not ("OnFailure" or "Never"))
        {
            errors.Add(NotSupported(templatePath.Child("spec", "restartPolicy"), restartPolicy ?? "", "OnFailure", "Never"));
        }
        else if (restartPolicy == "OnFailure" && spec.PodFailurePolicy is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, templatePath.Child("spec", "restartPolicy"), "only \"Never\" is supported when podFailurePolicy is specified", restartPolicy));
        }

        return errors;
    }
}
