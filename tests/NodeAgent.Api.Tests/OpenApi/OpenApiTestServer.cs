using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using NodeAgent.Api.OpenApi;
using NodeAgent.Api.Resources;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Api.Tests.OpenApi;

/// <summary>
/// A stand-in API server for kubectl while the real discovery and handlers are written elsewhere:
/// plain HTTP on 127.0.0.1:0, <see cref="OpenApiEndpoints.MapOpenApi"/>, legacy discovery built
/// from <see cref="BuiltinResources"/>, /version, and a catch-all that records every other request
/// and answers like a server rejecting an unknown field (so a test can see what kubectl sent).
/// </summary>
internal sealed class OpenApiTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpenApiTestServer(WebApplication app, Uri address, string kubeconfigDirectory)
    {
        _app = app;
        Address = address;
        KubeconfigPath = Path.Combine(kubeconfigDirectory, "kubeconfig");
        KubeconfigFile.Write(KubeconfigPath, address);
    }

    public Uri Address { get; }

    public string KubeconfigPath { get; }

    /// <summary>"METHOD path?query" of every request the catch-all answered.</summary>
    public ConcurrentQueue<string> OtherRequests { get; } = new();

    /// <summary>Bodies of the PATCH requests the catch-all answered.</summary>
    public ConcurrentQueue<string> PatchBodies { get; } = new();

    /// <summary>JSON the catch-all returns for a GET of the path (404 for any other).</summary>
    public ConcurrentDictionary<string, string> LiveObjects { get; } = new(StringComparer.Ordinal);

    public static IReadOnlyList<ResourceDefinition> Resources { get; } = BuiltinResources.All(
        NodeAgent.Api.Tests.Resources.Core.StrategyKit.UnitContext());

    public static async Task<OpenApiTestServer> StartAsync(string kubeconfigDirectory, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        OpenApiTestServer? server = null;

        app.MapOpenApi(Resources);
        app.MapGet("/version", () => Results.Json(new { major = "1", minor = "32", gitVersion = "v1.32.0", platform = "linux/amd64" }));
        app.MapGet("/api", () => Results.Json(new { kind = "APIVersions", versions = new[] { "v1" } }));
        app.MapGet("/apis", () => Results.Json(GroupList()));
        app.MapGet("/api/v1", () => Results.Json(ResourceList("", "v1")));
        app.MapGet("/apis/{group}/{version}", (string group, string version) =>
            Resources.Any(r => r.Group == group && r.Version == version) ? Results.Json(ResourceList(group, version)) : Results.NotFound());
        app.Map("/{**rest}", async (HttpContext context) =>
        {
            server!.OtherRequests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (context.Request.Method == "GET")
            {
                return server.LiveObjects.TryGetValue(context.Request.Path, out var live)
                    ? Results.Text(live, "application/json")
                    : Results.Json(Status(404, "NotFound", "not found"), statusCode: 404);
            }

            if (context.Request.Method == "PATCH")
            {
                using var reader = new StreamReader(context.Request.Body);
                server.PatchBodies.Enqueue(await reader.ReadToEndAsync(context.RequestAborted));
            }

            return Results.Json(Status(400, "BadRequest", "strict decoding error: unknown field \"spec.bogus\""), statusCode: 400);
        });

        await app.StartAsync(ct);
        var address = new Uri(app.Urls.First());
        server = new OpenApiTestServer(app, address, kubeconfigDirectory);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
        ["message"] = message, ["reason"] = reason, ["code"] = code,
    };

    private static JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var group in Resources.Where(r => r.Group.Length > 0).GroupBy(r => r.Group))
        {
            var versions = new JsonArray();
            foreach (var version in group.Select(r => r.Version).Distinct())
            {
                versions.Add(new JsonObject { ["groupVersion"] = group.Key + "/" + version, ["version"] = version });
            }

            groups.Add(new JsonObject
            {
                ["name"] = group.Key,
                ["versions"] = versions,
                ["preferredVersion"] = versions[0]!.DeepClone(),
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    private static JsonObject ResourceList(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var resource in Resources.Where(r => r.Group == group && r.Version == version))
        {
            resources.Add(new JsonObject
            {
                ["name"] = resource.Plural,
                ["singularName"] = resource.Singular,
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = new JsonArray("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
                ["shortNames"] = new JsonArray([.. resource.ShortNames.Select(s => (JsonNode)s)]),
            });
            foreach (var subresource in resource.Subresources)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = resource.Plural + "/" + subresource,
                    ["singularName"] = "",
                    ["namespaced"] = resource.Namespaced,
                    ["kind"] = resource.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : group + "/" + version,
            ["resources"] = resources,
        };
    }
}
