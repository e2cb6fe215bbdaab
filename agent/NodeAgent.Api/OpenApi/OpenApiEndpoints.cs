using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// <c>/openapi/v2</c> and <c>/openapi/v3</c> (+ per group-version documents) generated from the model types.
/// v3 follows kube-openapi's handler: the index lists each group-version with <c>?hash=</c> of its
/// content; a request carrying the current hash is cacheable forever, a stale hash is redirected
/// (301) to the current one; every document has an ETag and answers If-None-Match with 304.
/// </summary>
public static class OpenApiEndpoints
{
    /// <summary>What kubectl asks /openapi/v2 for (gnostic's openapi.v2.Document).</summary>
    internal const string ProtobufV2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    // kube-openapi answers with this spelling: Go's mime parser (kubectl's) rejects the "@".
    private const string ProtobufV2Deprecated = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    /// <summary>What kubectl (1.22+) sends on every request: "kubectl apply", "kubectl explain", …</summary>
    private const string KubectlCommandHeader = "Kubectl-Command";

    private enum V2Format
    {
        None,
        Json,
        Protobuf,
    }

    public static IEndpointRouteBuilder MapOpenApi(this IEndpointRouteBuilder endpoints, IReadOnlyList<ResourceDefinition> resources)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(resources);
        var documents = new OpenApiDocuments(resources);

        endpoints.MapGet("/openapi/v2", context =>
        {
            context.Response.Headers.Append(HeaderNames.Vary, "Accept");
            return PreferredV2Format(context.Request) switch
            {
                V2Format.Json => WriteAsync(context, documents.V2, immutable: false),
                V2Format.Protobuf => WriteAsync(context, documents.V2Protobuf, immutable: false, ProtobufV2Deprecated),
                _ => NotAcceptableAsync(context),
            };
        });

        // The answer without a hash depends on the Kubectl-Command header (OpenApiView), so caches must key on it.
        endpoints.MapGet("/openapi/v3", context =>
        {
            context.Response.Headers.Append(HeaderNames.Vary, KubectlCommandHeader);
            return WriteAsync(context, documents.V3Index(ViewOf(context.Request)), immutable: false);
        });

        endpoints.MapGet("/openapi/v3/{**groupVersion}", context =>
        {
            var path = ((string?)context.Request.RouteValues["groupVersion"] ?? "").TrimEnd('/');
            var document = documents.V3(path, ViewOf(context.Request));
            if (document is null)
            {
                return NotFoundAsync(context);
            }

            context.Response.Headers.Append(HeaderNames.Vary, "Accept");
            context.Response.Headers.Append(HeaderNames.Vary, KubectlCommandHeader);
            if (!AcceptsJson(context.Request))
            {
                return NotAcceptableAsync(context);
            }

            var hash = context.Request.Query["hash"].ToString();
            if (hash.Length > 0 && !string.Equals(hash, document.Hash, StringComparison.Ordinal))
            {
                // A hash names one document, whichever view the asker gets by default; only an unknown one is stale.
                if (documents.V3ByHash(path, hash) is { } named)
                {
                    return WriteAsync(context, named, immutable: true);
                }

                context.Response.Headers.ETag = Quote(document.Hash);
                context.Response.Redirect(OpenApiDocuments.ServerRelativeUrl(path, document.Hash), permanent: true);
                return Task.CompletedTask;
            }

            return WriteAsync(context, document, immutable: hash.Length > 0);
        });

        return endpoints;
    }

    private static OpenApiView ViewOf(HttpRequest request) => OpenApiDocuments.ViewFor(request.Headers[KubectlCommandHeader].ToString());

    /// <summary>The first Accept clause we can produce, in the client's order; no header means JSON.</summary>
    private static V2Format PreferredV2Format(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        if (accept.Length == 0)
        {
            return V2Format.Json;
        }

        foreach (var clause in accept.Split(','))
        {
            var mediaType = clause.Split(';')[0].Trim();
            if (mediaType is "*/*" or "application/*" or "application/json")
            {
                return V2Format.Json;
            }

            if (mediaType is ProtobufV2 or ProtobufV2Deprecated)
            {
                return V2Format.Protobuf;
            }
        }

        return V2Format.None;
    }

    /// <summary>JSON unless the client lists only types we cannot produce (kube-openapi answers 406 then too).</summary>
    private static bool AcceptsJson(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        if (accept.Length == 0)
        {
            return true;
        }

        foreach (var clause in accept.Split(','))
        {
            var mediaType = clause.Split(';')[0].Trim();
            if (mediaType is "*/*" or "application/*" or "application/json")
            {
                return true;
            }
        }

        return false;
    }

    // Written here rather than through Hosting.StatusResponses: KubernetesJson cannot serialize V1Status
    // (its V1StatusObjectViewConverter.Write throws NotImplementedException in KubernetesClient 21).
    private static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}""",
            context.RequestAborted);
    }

    private static Task NotAcceptableAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status406NotAcceptable;
        return Task.CompletedTask;
    }

    private static async Task WriteAsync(HttpContext context, StoredDocument document, bool immutable, string contentType = "application/json")
    {
        var response = context.Response;
        var etag = Quote(document.Hash);
        response.Headers.ETag = etag;
        if (immutable)
        {
            response.Headers.CacheControl = "public, immutable";
            response.Headers.Expires = DateTimeOffset.UtcNow.AddYears(1).ToString("R", CultureInfo.InvariantCulture);
        }

        if (context.Request.Headers.IfNoneMatch.Any(value => value is not null && value.Split(',').Any(tag => tag.Trim() == etag || tag.Trim() == "*")))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = contentType;
        response.Headers.Append(HeaderNames.Vary, "Accept-Encoding");
        if (AcceptsGzip(context.Request))
        {
            response.Headers.ContentEncoding = "gzip";
            response.ContentLength = document.Gzip.Length;
            await response.Body.WriteAsync(document.Gzip, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            var json = document.Decompress();
            response.ContentLength = json.Length;
            await response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static bool AcceptsGzip(HttpRequest request) =>
        request.Headers.AcceptEncoding.Any(value => value is not null && value.Split(',').Any(coding =>
        {
            var parts = coding.Split(';');
            return parts[0].Trim().Equals("gzip", StringComparison.OrdinalIgnoreCase) && !parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) == "q=0");
        }));

    private static string Quote(string hash) => "\"" + hash + "\"";
}
