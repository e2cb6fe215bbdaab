using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Security;

/// <summary>
/// What a request asks to do, as upstream's authorizer.Attributes: a resource request (verb on
/// group/resource[/subresource], maybe a namespace and name) or a non-resource request (verb on a URL path).
/// Built from an HTTP request by <see cref="FromRequest"/> and from a SubjectAccessReview's spec, so both are
/// judged by the same <see cref="IApiAuthorizer.Authorize"/>.
/// </summary>
public sealed record AuthorizationAttributes(
    ApiUser User,
    string Verb,
    bool IsResourceRequest,
    string Path = "",
    string Namespace = "",
    string ApiGroup = "",
    string ApiVersion = "",
    string Resource = "",
    string Subresource = "",
    string Name = "")
{
    /// <summary>Upstream's RequestInfoFactory: <c>/api/v1/…</c> and <c>/apis/G/V/…</c> with a resource segment are resource requests, all else is a path.</summary>
    public static AuthorizationAttributes FromRequest(ApiUser user, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path.Value is { Length: > 0 } p ? p : "/";
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var legacy = parts.Count > 0 && parts[0] == "api";
        var grouped = parts.Count > 0 && parts[0] == "apis";
        var prefix = legacy ? 2 : 3;
        if ((!legacy && !grouped) || parts.Count <= prefix)
        {
            // HEAD is a GET without the body: whoever may read a path may also ask for its headers.
            var verb = HttpMethods.IsHead(request.Method) ? "get" : request.Method.ToLowerInvariant();
            return new AuthorizationAttributes(user, verb, false, path);
        }

        var group = legacy ? "" : parts[1];
        var version = parts[prefix - 1];
        var rest = parts.Skip(prefix).ToList();
        var method = request.Method.ToUpperInvariant();
        var resourceVerb = method switch
        {
            "POST" => "create",
            "GET" or "HEAD" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
        if (rest[0] == "watch" && resourceVerb == "get")
        {
            resourceVerb = "watch";
            rest.RemoveAt(0);
        }

        var ns = "";
        if (rest.Count > 0 && rest[0] == "namespaces" && rest.Count > 1)
        {
            ns = rest[1];

            // namespaces/NAME/status and /finalize are the namespace's own subresources.
            if (rest.Count > 2 && rest[2] is not ("status" or "finalize"))
            {
                rest = rest.Skip(2).ToList();
            }
        }

        var resource = rest.Count > 0 ? rest[0] : "";
        var name = rest.Count > 1 ? rest[1] : "";
        var subresource = rest.Count > 2 ? rest[2] : "";
        if (name.Length == 0)
        {
            var watch = request.Query["watch"] is var w && (w == "true" || w == "1");
            resourceVerb = resourceVerb switch
            {
                "get" => watch ? "watch" : "list",
                "delete" => "deletecollection",
                _ => resourceVerb,
            };
        }

        return new AuthorizationAttributes(user, resourceVerb, true, path, ns, group, version, resource, subresource, name);
    }

    /// <summary>The text after "forbidden: " upstream writes for a denied request.</summary>
    public string ForbiddenMessage()
    {
        if (!IsResourceRequest)
        {
            return $"User \"{User.Name}\" cannot {Verb} path \"{Path}\"";
        }

        var resource = Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";
        return Namespace.Length > 0
            ? $"User \"{User.Name}\" cannot {Verb} resource \"{resource}\" in API group \"{ApiGroup}\" in the namespace \"{Namespace}\""
            : $"User \"{User.Name}\" cannot {Verb} resource \"{resource}\" in API group \"{ApiGroup}\" at the cluster scope";
    }
}

/// <summary>The authorizer's answer; <see cref="Reason"/> says which rule allowed (empty when denied, as RBAC's "no opinion").</summary>
public sealed record AuthorizationDecision(bool Allowed, string Reason);
