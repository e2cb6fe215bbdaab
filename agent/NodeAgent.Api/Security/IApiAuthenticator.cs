using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Security;

/// <summary>Who made a request: the user name, groups, uid and extra attributes (as Kubernetes' user.Info).</summary>
public sealed record ApiUser(string Name, IReadOnlyList<string> Groups, string Uid = "", IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra = null);

/// <summary>
/// Finds the user of a request from its credentials (bearer token, client certificate).
/// Null means "no credentials of mine here"; a request nobody authenticates gets 401.
/// </summary>
public interface IApiAuthenticator
{
    ValueTask<ApiUser?> AuthenticateAsync(HttpContext context, CancellationToken ct);
}

/// <summary>Upstream's union authenticator: tried in order, the first that recognises the request wins.</summary>
public static class ApiAuthentication
{
    public static async ValueTask<ApiUser?> FirstAsync(IReadOnlyList<IApiAuthenticator> authenticators, HttpContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(authenticators);
        foreach (var authenticator in authenticators)
        {
            if (await authenticator.AuthenticateAsync(context, ct).ConfigureAwait(false) is { } user)
            {
                return user;
            }
        }

        return null;
    }
}

/// <summary>
/// Whether a user may do something: an HTTP request (403 otherwise) or a SubjectAccessReview's question; both
/// arrive as <see cref="AuthorizationAttributes"/>, so there is one decision.
/// </summary>
public interface IApiAuthorizer
{
    AuthorizationDecision Authorize(AuthorizationAttributes attributes);

    /// <summary>Every rule that applies to the user (SelfSubjectRulesReview).</summary>
    PolicyRules RulesFor(ApiUser user);
}
