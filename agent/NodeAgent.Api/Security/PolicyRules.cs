namespace NodeAgent.Api.Security;

/// <summary>An RBAC PolicyRule for resources: "*" in any list means all; empty <see cref="ResourceNames"/> means every name.</summary>
public sealed record ResourceRule(IReadOnlyList<string> Verbs, IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources, IReadOnlyList<string> ResourceNames)
{
    public bool Matches(AuthorizationAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var resource = attributes.Subresource.Length == 0 ? attributes.Resource : $"{attributes.Resource}/{attributes.Subresource}";
        return attributes.IsResourceRequest
            && HasOrStar(Verbs, attributes.Verb)
            && HasOrStar(ApiGroups, attributes.ApiGroup)
            && HasOrStar(Resources, resource)
            && (ResourceNames.Count == 0 || ResourceNames.Contains(attributes.Name, StringComparer.Ordinal));
    }

    internal static bool HasOrStar(IReadOnlyList<string> values, string value) =>
        values.Contains("*", StringComparer.Ordinal) || values.Contains(value, StringComparer.Ordinal);
}

/// <summary>An RBAC PolicyRule for URL paths: an entry is a path, or a prefix ending in "*" ("*" alone is every path).</summary>
public sealed record NonResourceRule(IReadOnlyList<string> Verbs, IReadOnlyList<string> NonResourceUrls)
{
    public bool Matches(AuthorizationAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return !attributes.IsResourceRequest
            && ResourceRule.HasOrStar(Verbs, attributes.Verb)
            && NonResourceUrls.Any(url => url == attributes.Path || (url.EndsWith('*') && attributes.Path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal)));
    }
}

/// <summary>The rules that apply to one user, with the reason a match reports (what SelfSubjectRulesReview lists).</summary>
public sealed record PolicyRules(IReadOnlyList<ResourceRule> ResourceRules, IReadOnlyList<NonResourceRule> NonResourceRules, string Reason)
{
    public AuthorizationDecision Decide(AuthorizationAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var allowed = attributes.IsResourceRequest
            ? ResourceRules.Any(r => r.Matches(attributes))
            : NonResourceRules.Any(r => r.Matches(attributes));
        return new AuthorizationDecision(allowed, allowed ? Reason : "");
    }
}
