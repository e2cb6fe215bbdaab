using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry;

/// <summary>
/// The read side of the REST handlers: list (selectors, limit/continue, resourceVersion semantics),
/// watch (from a revision, bookmarks, 410, selectors), and writing objects in the representation
/// the client asked for (JSON, Table, PartialObjectMetadata). The router calls these for GET requests;
/// the write handlers call <see cref="WriteObjectAsync"/> for their responses.
/// </summary>
public sealed class CollectionReader
{
    private readonly IRevisionedStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CollectionReader(IRevisionedStore store, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _store = store;
        _time = time;
        _logger = loggerFactory.CreateLogger<CollectionReader>();
    }

    /// <summary>GET on a collection (namespaced, or across namespaces when <paramref name="ns"/> is null).</summary>
    public Task ListAsync(HttpContext context, ResourceDefinition resource, string? ns, CancellationToken ct)
    {
        _ = (_store, _time, _logger, context, resource, ns, ct);
        throw new NotSupportedException("list is not implemented yet");
    }

    /// <summary>GET with <c>watch=true</c> on a collection, or on a single object (<paramref name="name"/>, as a fieldSelector on metadata.name).</summary>
    public Task WatchAsync(HttpContext context, ResourceDefinition resource, string? ns, string? name, CancellationToken ct)
    {
        _ = (_store, context, resource, ns, name, ct);
        throw new NotSupportedException("watch is not implemented yet");
    }

    /// <summary>Writes one object in the representation the Accept header asks for (JSON, YAML, Table, PartialObjectMetadata).</summary>
    public Task WriteObjectAsync(HttpContext context, ResourceDefinition resource, JsonObject obj, int statusCode, CancellationToken ct)
    {
        _ = (_time, context, resource, obj, statusCode, ct);
        throw new NotSupportedException("object output is not implemented yet");
    }
}
