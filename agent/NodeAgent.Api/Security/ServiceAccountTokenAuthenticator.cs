using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using NodeAgent.Api.Registry;
using NodeAgent.Storage;

namespace NodeAgent.Api.Security;

/// <summary>
/// Bearer tokens issued by <see cref="ServiceAccountTokens"/>: valid signature and lifetime, meant for this API's
/// audience, and — as upstream's validator checks — the service account (and the bound pod) still exist with the
/// uids the token names. The user is <c>system:serviceaccount:NS:NAME</c> in <c>system:serviceaccounts</c>,
/// <c>system:serviceaccounts:NS</c> and <c>system:authenticated</c>.
/// </summary>
public sealed class ServiceAccountTokenAuthenticator(ServiceAccountTokens tokens, IRevisionedStore store) : IApiAuthenticator
{
    public async ValueTask<ApiUser?> AuthenticateAsync(HttpContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var token = TokenAuthenticator.BearerToken(context.Request.Headers[HeaderNames.Authorization].ToString());
        if (token is null)
        {
            return null;
        }

        var claims = await tokens.ValidateAsync(token, tokens.ApiAudiences).ConfigureAwait(false);
        if (claims is null || !await StillBoundAsync(claims, ct).ConfigureAwait(false))
        {
            return null;
        }

        // Upstream's service-account user: uid of the account, and the bound pod in extra.
        var extra = claims.PodName is null ? null : new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["authentication.kubernetes.io/pod-name"] = [claims.PodName],
            ["authentication.kubernetes.io/pod-uid"] = [claims.PodUid ?? ""],
        };
        return new ApiUser(
            claims.Subject,
            TokenAuthenticator.WithAuthenticated([ServiceAccountTokens.AllServiceAccountsGroup, ServiceAccountTokens.NamespaceGroup(claims.Namespace)]),
            claims.ServiceAccountUid,
            extra);
    }

    /// <summary>A token outlives neither its service account nor its pod (a recreated one with the same name has another uid).</summary>
    private async Task<bool> StillBoundAsync(ServiceAccountTokenClaims claims, CancellationToken ct)
    {
        if (!await ExistsAsync($"/registry/serviceaccounts/{claims.Namespace}/{claims.ServiceAccountName}", claims.ServiceAccountUid, ct).ConfigureAwait(false))
        {
            return false;
        }

        return claims.PodName is null
            || await ExistsAsync($"/registry/pods/{claims.Namespace}/{claims.PodName}", claims.PodUid, ct).ConfigureAwait(false);
    }

    private async Task<bool> ExistsAsync(string key, string? uid, CancellationToken ct)
    {
        var kv = await store.GetAsync(key, ct).ConfigureAwait(false);
        return kv is not null && (StoredObjects.Decode(kv)["metadata"] as JsonObject)?["uid"]?.GetValue<string>() == uid;
    }
}
