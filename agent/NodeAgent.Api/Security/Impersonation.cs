using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Security;

/// <summary>
/// Upstream's impersonation filter: <c>Impersonate-User</c>, <c>-Uid</c>, <c>-Group</c> (repeated) and
/// <c>-Extra-KEY</c> headers make the request act as that user, when the caller may <c>impersonate</c> each part
/// (users or serviceaccounts, groups, uids and userextras). kubectl's <c>--as</c>/<c>--as-group</c> send them.
/// </summary>
public static class Impersonation
{
    public const string UserHeader = "Impersonate-User";
    public const string UidHeader = "Impersonate-Uid";
    public const string GroupHeader = "Impersonate-Group";
    public const string ExtraPrefix = "Impersonate-Extra-";

    /// <summary>What to do with a request: go on as <see cref="User"/>, or answer 403 (<see cref="Denied"/>) or 400 (<see cref="BadRequest"/>).</summary>
    public sealed record Outcome(ApiUser? User, AuthorizationAttributes? Denied = null, string? BadRequest = null);

    public static Outcome Apply(ApiUser requester, HttpRequest request, IApiAuthorizer authorizer)
    {
        ArgumentNullException.ThrowIfNull(requester);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(authorizer);
        var headers = request.Headers;
        var name = headers[UserHeader].ToString();
        var groups = headers[GroupHeader].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        var uid = headers[UidHeader].ToString();
        var extra = headers.Where(h => h.Key.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => Uri.UnescapeDataString(h.Key[ExtraPrefix.Length..]).ToLowerInvariant(), h => (IReadOnlyList<string>)[.. h.Value.Select(v => v ?? "")], StringComparer.Ordinal);
        if (name.Length == 0)
        {
            return groups.Count > 0 || uid.Length > 0 || extra.Count > 0
                ? new Outcome(null, BadRequest: "requested impersonation of groups, uid or extra without impersonating a user")
                : new Outcome(requester);
        }

        var checks = new List<AuthorizationAttributes>();
        const string ServiceAccountPrefix = "system:serviceaccount:";
        if (name.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal) && name[ServiceAccountPrefix.Length..].Split(':') is [var ns, var account])
        {
            checks.Add(new AuthorizationAttributes(requester, "impersonate", true, Namespace: ns, Resource: "serviceaccounts", Name: account));
            if (groups.Count == 0)
            {
                // Upstream gives an impersonated service account its usual groups unless groups were asked for.
                groups = [ServiceAccountTokens.AllServiceAccountsGroup, ServiceAccountTokens.NamespaceGroup(ns)];
            }
        }
        else
        {
            checks.Add(new AuthorizationAttributes(requester, "impersonate", true, Resource: "users", Name: name));
        }

        checks.AddRange(headers[GroupHeader].Where(g => !string.IsNullOrEmpty(g)).Select(g => new AuthorizationAttributes(requester, "impersonate", true, Resource: "groups", Name: g!)));
        if (uid.Length > 0)
        {
            checks.Add(new AuthorizationAttributes(requester, "impersonate", true, ApiGroup: "authentication.k8s.io", Resource: "uids", Name: uid));
        }

        foreach (var (key, values) in extra)
        {
            checks.AddRange(values.Select(v => new AuthorizationAttributes(requester, "impersonate", true, ApiGroup: "authentication.k8s.io", Resource: "userextras", Subresource: key, Name: v)));
        }

        if (checks.FirstOrDefault(c => !authorizer.Authorize(c).Allowed) is { } denied)
        {
            return new Outcome(null, denied);
        }

        var allGroups = name == "system:anonymous" ? groups : TokenAuthenticator.WithAuthenticated(groups);
        return new Outcome(new ApiUser(name, allGroups, uid, extra.Count == 0 ? null : extra));
    }
}
