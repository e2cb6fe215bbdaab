using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Security;

/// <summary>Who made a request: the user name and groups (as Kubernetes' user.Info).</summary>
public sealed record ApiUser(string Name, IReadOnlyList<string> Groups);

/// <summary>
/// Finds the user of a request from its credentials (bearer token, client certificate).
/// Null means "no credentials of mine here"; a request nobody authenticates gets 401.
/// </summary>
public interface IApiAuthenticator
{
    ValueTask<ApiUser?> AuthenticateAsync(HttpContext context, CancellationToken ct);
}

/// <summary>Whether an authenticated user may make a request (403 otherwise).</summary>
public interface IApiAuthorizer
{
    bool IsAllowed(ApiUser user, HttpRequest request);
}
