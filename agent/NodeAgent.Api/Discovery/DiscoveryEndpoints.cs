using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NodeAgent.Api.Hosting;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Discovery;

/// <summary>
/// <c>/version</c>, <c>/api</c>, <c>/apis</c>, the per group-version resource lists and the aggregated
/// discovery documents, all derived from the resource definitions.
/// </summary>
public static class DiscoveryEndpoints
{
    
    private static readonly DateTimeOffset BuildDate = DateTimeOffset.UtcNow;

    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder endpoints, IReadOnlyList<ResourceDefinition> resources, string gitVersion = "v1.32.0+nodeagent")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(resources);
        var version = DiscoveryDocuments.Version(gitVersion, BuildDate).ToJsonString(ApiJson.Options);
        var groupList = DiscoveryDocuments.GroupList(resources).ToJsonString(ApiJson.Options);

        endpoints.MapGet("/version", context => WriteAsync(context, version));
        endpoints.MapGet("/api", context =>
        {
            if (AggregatedVersion(context.Request) is { } v)
            {
                return WriteAggregatedAsync(context, DiscoveryDocuments.Aggregated(resources, legacy: true, v), v);
            }

            var local = context.Connection.LocalIpAddress;
            var host = local is null ? "127.0.0.1" : local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
            return WriteAsync(context, DiscoveryDocuments.ApiVersions($"{host}:{context.Connection.LocalPort}").ToJsonString(ApiJson.Options));
        });
        endpoints.MapGet("/apis", context => AggregatedVersion(context.Request) is { } v
            ? WriteAggregatedAsync(context, DiscoveryDocuments.Aggregated(resources, legacy: false, v), v)
            : WriteAsync(context, groupList));
        endpoints.MapGet("/api/{version}", context =>
        {
            var v = (string)context.Request.RouteValues["version"]!;
            return resources.Any(r => r.Group.Length == 0 && r.Version == v)
                ? WriteAsync(context, DiscoveryDocuments.ResourceList(resources, "", v).ToJsonString(ApiJson.Options))
                : NotFoundAsync(context);
        });
        endpoints.MapGet("/apis/{group}", context =>
        {
            var g = (string)context.Request.RouteValues["group"]!;
            return resources.Any(r => r.Group == g && g.Length > 0)
                ? WriteAsync(context, DiscoveryDocuments.Group(resources, g).ToJsonString(ApiJson.Options))
                : NotFoundAsync(context);
        });
        endpoints.MapGet("/apis/{group}/{version}", context =>
        {
            var g = (string)context.Request.RouteValues["group"]!;
            var v = (string)context.Request.RouteValues["version"]!;
            return resources.Any(r => r.Group == g && r.Version == v && g.Length > 0)
                ? WriteAsync(context, DiscoveryDocuments.ResourceList(resources, g, v).ToJsonString(ApiJson.Options))
                : NotFoundAsync(context);
        });
        return endpoints;
    }

    /// <summary>The apidiscovery version the Accept header asks for first (v2 or v2beta1), or null for the legacy documents.</summary>
    internal static string? AggregatedVersion(HttpRequest request)
    {
        foreach (var range in request.Headers.Accept.ToString().Split(','))
        {
            var parameters = range.Split(';', StringSplitOptions.TrimEntries);
            if (!parameters.Contains("as=APIGroupDiscoveryList", StringComparer.Ordinal) || !parameters.Contains("g=apidiscovery.k8s.io", StringComparer.Ordinal))
            {
                if (parameters[0] is "application/json" or "*/*")
                {
                    return null;
                }

                continue;
            }

            if (parameters.Contains("v=v2", StringComparer.Ordinal))
            {
                return "v2";
            }

            if (parameters.Contains("v=v2beta1", StringComparer.Ordinal))
            {
                return "v2beta1";
            }
        }

        return null;
    }

    private static Task WriteAggregatedAsync(HttpContext context, JsonObject document, string version)
    {
        context.Response.Headers.Vary = "Accept";
        context.Response.ContentType = $"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList";
        return context.Response.WriteAsync(document.ToJsonString(ApiJson.Options), context.RequestAborted);
    }

    private static Task WriteAsync(HttpContext context, string json)
    {
        context.Response.Headers.Vary = "Accept";
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    private static Task NotFoundAsync(HttpContext context) =>
        StatusResponses.WriteAsync(context, StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource");
}
