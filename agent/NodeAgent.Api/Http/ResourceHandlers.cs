using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Hosting;
using NodeAgent.Api.Registry;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Http;

/// <summary>
/// The REST verbs on one resource URL: get, create, update (PUT), patch, delete and deletecollection,
/// plus the status, scale and binding subresources and the pod streams (log, exec, attach, portforward). Reads of collections go to <see cref="CollectionReader"/>.
/// </summary>
internal sealed partial class ResourceHandlers
{
    private readonly ResourceWriter _writer;
    private readonly CollectionReader _reader;
    private readonly ApiServerOptions _options;
    private readonly IReadOnlyList<Security.IApiAuthenticator> _authenticators;

    /// <param name="authenticators">The server's, for TokenReview.</param>
    public ResourceHandlers(ResourceWriter writer, CollectionReader reader, ApiServerOptions options, IReadOnlyList<Security.IApiAuthenticator> authenticators)
    {
        _writer = writer;
        _reader = reader;
        _options = options;
        _authenticators = authenticators;
    }

    public Task DispatchAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var method = context.Request.Method;
        if (target.Resource.CreateOnly)
        {
            return DispatchReviewAsync(context, target, ct);
        }

        var isWatch = target.WatchPrefix || context.Request.Query["watch"] is var w && (w == "true" || w == "1");
        if (target.Name is null)
        {
            return method switch
            {
                "GET" when isWatch => _reader.WatchAsync(context, target.Resource, target.Namespace, null, ct),
                "GET" => _reader.ListAsync(context, target.Resource, target.Namespace, ct),
                "POST" when !target.WatchPrefix && (!target.Resource.Namespaced || target.Namespace is not null) => CreateAsync(context, target, ct),
                "DELETE" when !target.WatchPrefix && (!target.Resource.Namespaced || target.Namespace is not null) => DeleteCollectionAsync(context, target, ct),
                _ => throw ApiException.MethodNotAllowed(),
            };
        }

        if (target.WatchPrefix)
        {
            return method == "GET" && target.Subresource is null
                ? _reader.WatchAsync(context, target.Resource, target.Namespace, target.Name, ct)
                : throw ApiException.MethodNotAllowed();
        }

        if (IsPodStream(target))
        {
            return DispatchPodStreamAsync(context, target, ct);
        }

        return target.Subresource switch
        {
            null => method switch
            {
                "GET" when isWatch => _reader.WatchAsync(context, target.Resource, target.Namespace, target.Name, ct),
                "GET" => GetAsync(context, target, ct),
                "PUT" => UpdateAsync(context, target, ct),
                "PATCH" => PatchAsync(context, target, ct),
                "DELETE" => DeleteAsync(context, target, ct),
                _ => throw ApiException.MethodNotAllowed(),
            },
            "status" when target.Resource.HasSubresource("status") => method switch
            {
                "GET" => GetAsync(context, target, ct),
                "PUT" => UpdateAsync(context, target, ct),
                "PATCH" => PatchAsync(context, target, ct),
                _ => throw ApiException.MethodNotAllowed(),
            },
            "scale" when target.Resource.HasSubresource("scale") => method switch
            {
                "GET" => GetScaleAsync(context, target, ct),
                "PUT" => UpdateScaleAsync(context, target, ct),
                "PATCH" => PatchScaleAsync(context, target, ct),
                _ => throw ApiException.MethodNotAllowed(),
            },
            "binding" when target.Resource.HasSubresource("binding") => method switch
            {
                "POST" => BindAsync(context, target, ct),
                _ => throw ApiException.MethodNotAllowed(),
            },
            "token" when target.Resource.HasSubresource("token") => method switch
            {
                "POST" => CreateTokenAsync(context, target, ct),
                _ => throw ApiException.MethodNotAllowed(),
            },
            _ => throw ApiException.UnknownPath(),
        };
    }

    private async Task GetAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var obj = await _writer.GetAsync(target.Resource, target.Namespace, target.Name!, ct)
            ?? throw ApiException.NotFound(target.Resource, target.Name!);
        await WriteObjectAsync(context, target.Resource, obj, StatusCodes.Status200OK, ct);
    }

    private async Task CreateAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var options = RequestOptions.From(context.Request);
        var body = await ReadObjectAsync(context, target.Resource, options, ct);
        CheckNamespace(target, body);
        var created = await _writer.CreateAsync(target.Resource, target.Namespace, new Desired(body), options.ToWriteOptions(), ct);
        await WriteObjectAsync(context, target.Resource, created, StatusCodes.Status201Created, ct, options);
    }

    private async Task UpdateAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var options = RequestOptions.From(context.Request);
        var body = await ReadObjectAsync(context, target.Resource, options, ct);
        CheckNamespace(target, body);
        if (body.Name() != target.Name)
        {
            throw ApiException.BadRequest(string.IsNullOrEmpty(body.Name())
                ? "name is required in the object when updating"
                : $"the name of the object ({body.Name()}) does not match the name on the URL ({target.Name})");
        }

        var precondition = body.ResourceVersion();
        var result = await _writer.UpdateAsync(
            target.Resource,
            target.Namespace,
            target.Name!,
            target.Subresource,
            live =>
            {
                if (!string.IsNullOrEmpty(precondition) && precondition != live.ResourceVersion())
                {
                    throw ApiException.StaleUpdate(target.Resource, target.Name!);
                }

                return new Desired(body);
            },
            AllowsCreateOnUpdate(target) && string.IsNullOrEmpty(precondition) ? () => new Desired(body) : null,
            options.ToWriteOptions(),
            ct);
        await WriteObjectAsync(context, target.Resource, result.Body, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK, ct, options);
    }

    /// <summary>Upstream lets PUT create only a few kinds (events, endpoints, leases); the rest answer 404.</summary>
    private static bool AllowsCreateOnUpdate(RequestTarget target) =>
        target.Subresource is null && target.Resource.Plural is "events" or "endpoints" or "leases";

    /// <summary>
    /// Upstream answers a finished DELETE with the deleted object for pods, services and service
    /// accounts (their OpenAPI response type, which typed clients decode) and with a Status for the rest.
    /// </summary>
    private static bool ReturnsDeletedObject(ResourceDefinition resource) =>
        resource.Group.Length == 0 && resource.Plural is "pods" or "services" or "serviceaccounts";

    private async Task DeleteAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var options = RequestOptions.From(context.Request);
        var deleteOptions = await ReadDeleteOptionsAsync(context, ct);
        var dryRun = options.DryRun || deleteOptions.DryRun?.Contains("All") == true;
        var result = await _writer.DeleteAsync(target.Resource, target.Namespace, target.Name!, deleteOptions, dryRun, ct);
        if (!result.Removed || ReturnsDeletedObject(target.Resource))
        {
            await WriteObjectAsync(context, target.Resource, result.Body, StatusCodes.Status200OK, ct, options);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, SuccessStatus(target.Resource, result.Body), options);
    }

    private async Task DeleteCollectionAsync(HttpContext context, RequestTarget target, CancellationToken ct)
    {
        var options = RequestOptions.From(context.Request);
        var deleteOptions = await ReadDeleteOptionsAsync(context, ct);
        var dryRun = options.DryRun || deleteOptions.DryRun?.Contains("All") == true;
        var selector = SimpleLabelSelector.Parse(context.Request.Query["labelSelector"].ToString());
        var list = await _writer.Store.ListAsync(StoredObjects.Prefix(target.Resource, target.Namespace), 0, null, 0, ct);
        var items = new JsonArray();
        foreach (var kv in list.Items)
        {
            var obj = StoredObjects.Decode(kv);
            if (!selector.Matches(obj))
            {
                continue;
            }

            try
            {
                var result = await _writer.DeleteAsync(target.Resource, target.Namespace ?? obj.Namespace(), obj.Name(), deleteOptions, dryRun, ct);
                items.Add((JsonNode)result.Body);
            }
            catch (ApiException e) when (e.Code == StatusCodes.Status404NotFound)
            {
                // Deleted by someone else meanwhile.
            }
        }

        var response = new JsonObject
        {
            ["apiVersion"] = target.Resource.ApiVersion,
            ["kind"] = target.Resource.ListKind,
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
        await WriteJsonAsync(context, StatusCodes.Status200OK, response, options);
    }

    private static V1Status SuccessStatus(ResourceDefinition resource, JsonObject obj) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Status = "Success",
        Metadata = new V1ListMeta(),
        Details = new V1StatusDetails
        {
            Name = obj.Name(),
            Group = resource.Group.Length == 0 ? null : resource.Group,
            Kind = resource.Plural,
            Uid = obj.Uid(),
        },
    };

    private static async Task<V1DeleteOptions> ReadDeleteOptionsAsync(HttpContext context, CancellationToken ct)
    {
        var options = new V1DeleteOptions();
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var bytes = await RequestBody.ReadAsync(context, 1024 * 1024, ct);
            if (bytes.Length > 0)
            {
                options = (V1DeleteOptions)ModelJson.ToModel(RequestBody.Parse(bytes, allowYaml: false), typeof(V1DeleteOptions));
            }
        }

        var query = context.Request.Query;
        if (long.TryParse(query["gracePeriodSeconds"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var grace))
        {
            options.GracePeriodSeconds = grace;
        }

        if (query["propagationPolicy"].ToString() is { Length: > 0 } policy)
        {
            options.PropagationPolicy = policy;
        }

        if (options.PropagationPolicy is { } p && p is not ("Orphan" or "Background" or "Foreground"))
        {
            throw new ApiException(422, "Invalid", $"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{p}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"");
        }

        if (options.GracePeriodSeconds is < 0)
        {
            options.GracePeriodSeconds = 0;
        }

        return options;
    }

    /// <summary>Reads a POST/PUT body as an object of the resource's kind, applying the fieldValidation mode.</summary>
    private async Task<JsonObject> ReadObjectAsync(HttpContext context, ResourceDefinition resource, RequestOptions options, CancellationToken ct)
    {
        var contentType = context.Request.ContentType ?? "application/json";
        var yaml = contentType.StartsWith("application/yaml", StringComparison.OrdinalIgnoreCase);
        var protobuf = ProtobufBody.IsProtobuf(contentType);
        if (!yaml && !protobuf && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !contentType.StartsWith("*/*", StringComparison.Ordinal))
        {
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got \"{contentType}\")");
        }

        var bytes = await RequestBody.ReadAsync(context, _options.MaxRequestBodyBytes, ct);
        var duplicates = new List<string>();
        var node = protobuf ? ProtobufBody.Decode(bytes, resource) : RequestBody.Parse(bytes, yaml, duplicates);
        if (node is not JsonObject obj)
        {
            throw ApiException.BadRequest("the request body must be a JSON object");
        }

        CheckTypeMeta(resource, obj);
        options.CheckFields(ModelJson.UnknownFields(obj, resource.ModelType), duplicates);
        return obj;
    }

    /// <summary>apiVersion and kind may be omitted (the URL says them) but must not contradict it.</summary>
    internal static void CheckTypeMeta(ResourceDefinition resource, JsonObject obj, string? expectedApiVersion = null, string? expectedKind = null)
    {
        var apiVersion = obj.GetString("apiVersion");
        var kind = obj.GetString("kind");
        expectedApiVersion ??= resource.ApiVersion;
        expectedKind ??= resource.Kind;
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != expectedApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({expectedApiVersion})");
        }

        if (!string.IsNullOrEmpty(kind) && kind != expectedKind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({expectedKind})");
        }
    }

    private static void CheckNamespace(RequestTarget target, JsonObject body)
    {
        var ns = body.Namespace();
        if (target.Resource.Namespaced && !string.IsNullOrEmpty(ns) && ns != target.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    /// <summary>An object in the representation the client asked for: YAML, Table and metadata-only forms via the reader, else JSON.</summary>
    private async Task WriteObjectAsync(HttpContext context, ResourceDefinition resource, JsonObject obj, int statusCode, CancellationToken ct, RequestOptions? options = null)
    {
        WriteWarnings(context, options);
        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("as=Table", StringComparison.Ordinal) || accept.Contains("as=PartialObjectMetadata", StringComparison.Ordinal)
            || accept.Contains("application/yaml", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                await _reader.WriteObjectAsync(context, resource, obj, statusCode, ct);
                return;
            }
            catch (NotSupportedException) when (!context.Response.HasStarted)
            {
                // The reader cannot render that form: plain JSON is also acceptable to every client that asks for it.
            }
        }

        await WriteJsonAsync(context, statusCode, obj, null);
    }

    private static Task WriteJsonAsync(HttpContext context, int statusCode, object body, RequestOptions? options)
    {
        WriteWarnings(context, options);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        var json = body switch
        {
            JsonNode node => node.ToJsonString(ApiJson.Options),
            V1Status status => StatusResponses.ToJson(status).ToJsonString(ApiJson.Options),
            _ => KubernetesJson.Serialize(body),
        };
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    private static void WriteWarnings(HttpContext context, RequestOptions? options)
    {
        if (options is null || context.Response.HasStarted)
        {
            return;
        }

        foreach (var warning in options.Warnings.Distinct(StringComparer.Ordinal))
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }

        options.Warnings.Clear();
    }
}
