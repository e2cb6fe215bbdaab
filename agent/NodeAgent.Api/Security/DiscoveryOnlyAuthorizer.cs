namespace NodeAgent.Api.Security;

/// <summary>
/// Until RBAC exists: <c>system:masters</c> may do everything; any other authenticated user gets what upstream's
/// <c>system:discovery</c>, <c>system:public-info-viewer</c> and <c>system:basic-user</c> roles grant — GET on
/// <c>/api</c>, <c>/apis</c> and below (the discovery documents), <c>/version</c>, <c>/openapi/…</c> and the health
/// endpoints, and creating the self reviews (SelfSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview).
/// The rules are data: requests and SubjectAccessReviews are decided by matching them, and SelfSubjectRulesReview
/// lists them.
/// </summary>
public sealed class DiscoveryOnlyAuthorizer : IApiAuthorizer
{
    private static readonly PolicyRules Everything = new(
        [new ResourceRule(["*"], ["*"], ["*"], [])],
        [new NonResourceRule(["*"], ["*"])],
        $"allowed: user is in group \"{ApiGroups.Masters}\"");

    private static readonly PolicyRules Authenticated = new(
        [
            new ResourceRule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], []),
            new ResourceRule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"], []),
        ],
        [
            new NonResourceRule(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]),
        ],
        "allowed: discovery and self reviews are open to every authenticated user");

    private static readonly PolicyRules Nothing = new([], [], "");

    public PolicyRules RulesFor(ApiUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Groups.Contains(ApiGroups.Masters, StringComparer.Ordinal))
        {
            return Everything;
        }

        return user.Groups.Contains(ApiGroups.Authenticated, StringComparer.Ordinal) ? Authenticated : Nothing;
    }

    public AuthorizationDecision Authorize(AuthorizationAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return RulesFor(attributes.User).Decide(attributes);
    }
}
