using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NodeAgent.Api.Registry.Listing;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry;

/// <summary>
/// The read side of the REST handlers: list (selectors, limit/continue, resourceVersion semantics),
/// watch (from a revision, bookmarks, 410, selectors), and writing objects in the representation
/// the client asked for (JSON, Table, PartialObjectMetadata). The router calls these for GET requests;
/// the write handlers call <see cref="WriteObjectAsync"/> for their responses. Every refusal is answered
/// here as a Status (400, 406, 410, 422, 504); nothing is thrown to the caller but cancellation.
/// See docs/api-list-watch.md.
/// </summary>
public sealed class CollectionReader
{
    private readonly IRevisionedStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CollectionReaderOptions _options;

    public CollectionReader(IRevisionedStore store, TimeProvider time, ILoggerFactory loggerFactory, CollectionReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _store = store;
        _time = time;
        _options = options ?? CollectionReaderOptions.Default;
        _logger = loggerFactory.CreateLogger<CollectionReader>();
    }

    /// <summary>GET on a collection (namespaced, or across namespaces when <paramref name="ns"/> is null).</summary>
    public async Task ListAsync(HttpContext context, ResourceDefinition resource, string? ns, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        try
        {
            var format = OutputFormat.Negotiate(context.Request.Headers.Accept, OutputTarget.List);
            var parameters = ListParameters.Parse(context.Request.Query, watch: false);
            var filter = ObjectFilter.Create(resource, parameters, exactKey: null);
            var page = await StoreReads.ListAsync(_store, StoredObjects.Prefix(resource, ns), parameters, filter, ct).ConfigureAwait(false);
            await ResponseWriter.WriteListAsync(context, resource, format, page, parameters.IncludeObject, _time.GetUtcNow(), ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e)
        {
            await ResponseWriter.WriteStatusAsync(context, e.Status).ConfigureAwait(false);
        }
    }

    /// <summary>GET with <c>watch=true</c> on a collection, or on a single object (<paramref name="name"/>, as a fieldSelector on metadata.name).</summary>
    public async Task WatchAsync(HttpContext context, ResourceDefinition resource, string? ns, string? name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        OutputFormat format;
        ListParameters parameters;
        ObjectFilter filter;
        try
        {
            format = OutputFormat.Negotiate(context.Request.Headers.Accept, OutputTarget.Watch);
            parameters = ListParameters.Parse(context.Request.Query, watch: true);
            filter = ObjectFilter.Create(resource, parameters, name is null ? null : StoredObjects.Key(resource, ns, name));
        }
        catch (ApiStatusException e)
        {
            await ResponseWriter.WriteStatusAsync(context, e.Status).ConfigureAwait(false);
            return;
        }

        // One object: watch its own key (the filter drops keys that merely start with it).
        var prefix = name is null ? StoredObjects.Prefix(resource, ns) : StoredObjects.Key(resource, ns, name);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(ct).ConfigureAwait(false);
        await context.Response.BodyWriter.FlushAsync(ct).ConfigureAwait(false);

        await using var events = new WatchEventWriter(context.Response.BodyWriter, resource, format, parameters.IncludeObject, _time);
        using var session = new WatchSession(_store, resource, parameters, filter, prefix, _options, _logger);
        await session.RunAsync(context, events, ct).ConfigureAwait(false);
    }

    /// <summary>Writes one object in the representation the Accept header asks for (JSON, YAML, Table, PartialObjectMetadata).</summary>
    public async Task WriteObjectAsync(HttpContext context, ResourceDefinition resource, JsonObject obj, int statusCode, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(obj);
        try
        {
            var format = OutputFormat.Negotiate(context.Request.Headers.Accept, OutputTarget.Object);
            var include = ListParameters.ParseIncludeObject(context.Request.Query);
            await ResponseWriter.WriteObjectAsync(context, resource, format, obj, statusCode, include, _time.GetUtcNow(), ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e)
        {
            await ResponseWriter.WriteStatusAsync(context, e.Status).ConfigureAwait(false);
        }
    }
}
