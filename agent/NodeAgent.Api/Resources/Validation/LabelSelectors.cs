using k8s.Models;

namespace NodeAgent.Api.Resources.Validation;

/// <summary>metav1.LabelSelector: matching, printing (<c>FormatLabelSelector</c>) and validation as upstream does them.</summary>
public static class LabelSelectors
{
    /// <summary>Upstream's message when a workload's selector does not select its own template.</summary>
    public const string SelectorMismatch = "`selector` does not match template `labels`";

    /// <summary>Whether two selectors are the same (as upstream's deep equality).</summary>
    public static bool Same(V1LabelSelector? a, V1LabelSelector? b) =>
        GoValue.Selector(a).ToString() == GoValue.Selector(b).ToString();

    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is null || ((selector.MatchLabels?.Count ?? 0) + (selector.MatchExpressions?.Count ?? 0)) == 0;

    /// <summary>Whether <paramref name="labels"/> satisfy the selector; a null selector matches nothing, an empty one everything.</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null)
        {
            return false;
        }

        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(requirement.Key ?? "", out var actual);
            var values = requirement.Values ?? [];
            var ok = requirement.OperatorProperty switch
            {
                "In" => has && values.Contains(actual),
                "NotIn" => !has || !values.Contains(actual),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The selector string kubectl prints (<c>app=web,tier in (a,b)</c>), or <c>&lt;none&gt;</c> when it selects everything.</summary>
    public static string Format(V1LabelSelector? selector)
    {
        var text = ToSelectorString(selector);
        return text.Length == 0 ? "<none>" : text;
    }

    /// <summary>labels.Selector.String(): requirements sorted by key, values sorted.</summary>
    public static string ToSelectorString(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return "";
        }

        var requirements = new List<(string Key, string Text)>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            requirements.Add((key, key + "=" + value));
        }

        foreach (var r in selector.MatchExpressions ?? [])
        {
            var key = r.Key ?? "";
            var values = string.Join(',', (r.Values ?? []).Order(StringComparer.Ordinal));
            requirements.Add((key, r.OperatorProperty switch
            {
                "In" => $"{key} in ({values})",
                "NotIn" => $"{key} notin ({values})",
                "Exists" => key,
                "DoesNotExist" => "!" + key,
                _ => key,
            }));
        }

        return string.Join(',', requirements.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Text));
    }

    /// <summary>Upstream's ValidateLabelSelector (label values must be valid).</summary>
    public static IEnumerable<FieldError> Validate(V1LabelSelector? selector, string path)
    {
        if (selector is null)
        {
            yield break;
        }

        var expressions = selector.MatchExpressions ?? [];
        for (var i = 0; i < expressions.Count; i++)
        {
            var r = expressions[i];
            var at = path.Child("matchExpressions").Index(i);
            var values = r.Values?.Count ?? 0;
            switch (r.OperatorProperty)
            {
                case "In" or "NotIn":
                    if (values == 0)
                    {
                        yield return new FieldError(FieldErrorType.Required, at.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'");
                    }

                    break;
                case "Exists" or "DoesNotExist":
                    if (values > 0)
                    {
                        yield return new FieldError(FieldErrorType.Forbidden, at.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    }

                    break;
                default:
                    yield return new FieldError(FieldErrorType.Invalid, at.Child("operator"), "not a valid selector operator", r.OperatorProperty ?? "");
                    break;
            }

            foreach (var m in NameRules.QualifiedName(r.Key ?? ""))
            {
                yield return new FieldError(FieldErrorType.Invalid, at.Child("key"), m, r.Key ?? "");
            }

            foreach (var value in r.Values ?? [])
            {
                foreach (var m in NameRules.LabelValue(value ?? ""))
                {
                    yield return new FieldError(FieldErrorType.Invalid, at.Child("values").Index(r.Values!.IndexOf(value)), m, value ?? "");
                }
            }
        }

        foreach (var error in CommonRules.Labels(selector.MatchLabels, path.Child("matchLabels")))
        {
            yield return error;
        }
    }
}
