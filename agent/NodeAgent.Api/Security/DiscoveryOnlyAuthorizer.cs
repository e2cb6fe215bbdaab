using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Security;

/// <summary>
/// Until RBAC exists: <c>system:masters</c> may do everything; any other authenticated user may only
/// read what upstream's <c>system:discovery</c> and <c>system:public-info-viewer</c> roles grant —
/// <c>/api</c>, <c>/api/VERSION</c>, <c>/apis</c>, <c>/apis/GROUP</c>, <c>/apis/GROUP/VERSION</c>,
/// <c>/version</c>, <c>/openapi/…</c> and the health endpoints.
/// </summary>
public sealed class DiscoveryOnlyAuthorizer : IApiAuthorizer
{
    public bool IsAllowed(ApiUser user, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        if (user.Groups.Contains(ApiGroups.Masters, StringComparer.Ordinal))
        {
            return true;
        }

        return (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && IsDiscoveryPath(request.Path.Value ?? "/");
    }

    public static bool IsDiscoveryPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return false;
        }

        return segments[0] switch
        {
            "api" => segments.Length <= 2,
            "apis" => segments.Length <= 3,
            "version" => segments.Length == 1,
            "openapi" => true,
            "healthz" or "livez" or "readyz" => true,
            _ => false,
        };
    }
}
