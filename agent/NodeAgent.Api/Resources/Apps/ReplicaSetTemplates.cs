using k8s.Models;
using NodeAgent.Api.Resources.Pods;
using NodeAgent.Api.Resources.Validation;

namespace NodeAgent.Api.Resources.Apps;

/// <summary>The selector and template rules Deployments and ReplicaSets share (upstream apps validation).</summary>
internal static class ReplicaSetTemplates
{
    /// <summary>selector required, valid and non-empty; the template matched by it, valid, restartPolicy Always.</summary>
    public static IEnumerable<FieldError> Validate(V1LabelSelector? selector, V1PodTemplateSpec? template, string specPath)
    {
        var selectorPath = specPath.Child("selector");
        if (selector is null)
        {
            yield return new FieldError(FieldErrorType.Required, selectorPath);
        }
        else
        {
            foreach (var error in LabelSelectors.Validate(selector, selectorPath))
            {
                yield return error;
            }

            if (LabelSelectors.IsEmpty(selector))
            {
                // Upstream says "deployment" for ReplicaSets too.
                yield return new FieldError(FieldErrorType.Invalid, selectorPath, "empty selector is invalid for deployment", GoValue.Selector(selector));
            }
        }

        var templatePath = specPath.Child("template");
        if (template is null)
        {
            yield return new FieldError(FieldErrorType.Required, templatePath);
            yield break;
        }

        // A missing selector selects nothing, so upstream also reports the mismatch then.
        if ((selector is null || !LabelSelectors.IsEmpty(selector)) && !LabelSelectors.Matches(selector, template.Metadata?.Labels))
        {
            yield return new FieldError(FieldErrorType.Invalid, templatePath.Child("metadata", "labels"), LabelSelectors.SelectorMismatch, GoValue.Map(template.Metadata?.Labels));
        }

        foreach (var error in PodTemplates.Validate(template, templatePath))
        {
            yield return error;
        }

        if (template.Spec is { } spec)
        {
            if (!string.IsNullOrEmpty(spec.RestartPolicy) && spec.RestartPolicy != "Always")
            {
                yield return CommonRules.NotSupported(templatePath.Child("spec", "restartPolicy"), spec.RestartPolicy, "Always");
            }

            if (spec.ActiveDeadlineSeconds is not null)
            {
                yield return new FieldError(FieldErrorType.Forbidden, templatePath.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicaSet is not Supported");
            }
        }
    }

    /// <summary>apps/v1 selectors are immutable: <c>spec.selector: Invalid value: v1.LabelSelector{…}: field is immutable</c>.</summary>
    public static IEnumerable<FieldError> ImmutableSelector(V1LabelSelector? selector, V1LabelSelector? old, string path)
    {
        if (!LabelSelectors.Same(selector, old))
        {
            yield return new FieldError(FieldErrorType.Invalid, path, CommonRules.ImmutableMessage, GoValue.Selector(selector));
        }
    }
}
