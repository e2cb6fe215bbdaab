using System.Buffers;
using System.Text.Json;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.OpenApi;

/// <summary>Which form of the v3 documents a request gets (<see cref="OpenApiDocuments.ViewFor"/>).</summary>
internal enum OpenApiView
{
    /// <summary>Every operation, with descriptions: <c>kubectl explain</c>, client generators, everyone else.</summary>
    Full,

    /// <summary>
    /// For kubectl's validating commands (apply, create, replace): only the PATCH operations with their GVK, parameters
    /// (kubectl looks there for <c>fieldValidation</c>) and media types, no schemas and no description texts. kubectl up
    /// to 1.33 parses the group-version document again for every object it sends (and twice more per object a
    /// client-side apply patches), so its size was most of an apply's time. Without schemas, client-side apply computes
    /// its strategic merge patch from <c>/openapi/v2</c> (the same patch metadata, parsed once per kubectl run) —
    /// kubectl's own fallback when a v3 document has no schema for the kind. docs/openapi.md.
    /// </summary>
    Validating,
}

/// <summary>
/// The OpenAPI documents of the served resources, built on first request (reflection over the
/// models takes tens of milliseconds and a few MB that are garbage right after) and then kept only
/// as compressed bytes. The v2 document and the v3 set are built independently: kubectl 1.27+
/// asks for v3 only.
/// </summary>
public sealed class OpenApiDocuments
{
    private readonly IReadOnlyList<ResourceDefinition> _resources;
    private readonly Lazy<StoredDocument> _v2;
    private readonly Lazy<StoredDocument> _v2Protobuf;
    private readonly Lazy<V3Documents> _v3;
    private readonly Lazy<V3Documents> _v3Validating;

    public OpenApiDocuments(IReadOnlyList<ResourceDefinition> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        _resources = resources;
        _v2 = new Lazy<StoredDocument>(BuildV2, LazyThreadSafetyMode.ExecutionAndPublication);
        _v2Protobuf = new Lazy<StoredDocument>(BuildV2Protobuf, LazyThreadSafetyMode.ExecutionAndPublication);
        _v3 = new Lazy<V3Documents>(() => BuildV3(OpenApiView.Full), LazyThreadSafetyMode.ExecutionAndPublication);
        _v3Validating = new Lazy<V3Documents>(() => BuildV3(OpenApiView.Validating), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The Swagger 2.0 document (<c>/openapi/v2</c>).</summary>
    internal StoredDocument V2 => _v2.Value;

    /// <summary>The same document as gnostic protobuf, the form kubectl asks for.</summary>
    internal StoredDocument V2Protobuf => _v2Protobuf.Value;

    /// <summary>
    /// The <c>/openapi/v3</c> index: <c>{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}</c>.
    /// Each view's documents have their own hashes, so their URLs never collide in a cache.
    /// </summary>
    internal StoredDocument V3Index(OpenApiView view = OpenApiView.Full) => Documents(view).Index;

    /// <summary>The OpenAPI 3.0 document of one group-version, keyed "api/v1" or "apis/apps/v1".</summary>
    internal StoredDocument? V3(string groupVersionPath) => V3(groupVersionPath, OpenApiView.Full);

    internal StoredDocument? V3(string groupVersionPath, OpenApiView view) => Documents(view).ByPath.GetValueOrDefault(groupVersionPath);

    /// <summary>The document of either view whose hash this is (a hash URL names one document whoever asks), else null.</summary>
    internal StoredDocument? V3ByHash(string groupVersionPath, string hash)
    {
        foreach (var view in (ReadOnlySpan<OpenApiView>)[OpenApiView.Full, OpenApiView.Validating])
        {
            if (V3(groupVersionPath, view) is { } document && string.Equals(document.Hash, hash, StringComparison.Ordinal))
            {
                return document;
            }
        }

        return null;
    }

    /// <summary>
    /// The view for a request, from the <c>Kubectl-Command</c> header kubectl sends (<c>kubectl apply</c>,
    /// <c>kubectl create configmap</c>, …): validating commands get <see cref="OpenApiView.Validating"/>; explain and
    /// every other client the full documents.
    /// </summary>
    internal static OpenApiView ViewFor(string? kubectlCommand)
    {
        var words = (kubectlCommand ?? "").Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 2 && words[1] is "apply" or "create" or "replace" ? OpenApiView.Validating : OpenApiView.Full;
    }

    /// <summary>"api/v1" or "apis/apps/v1": the key of a group-version in the v3 index.</summary>
    internal static string GroupVersionPath(string group, string version) => ApiOperations.GroupVersionPrefix(group, version).TrimStart('/');

    private StoredDocument BuildV2()
    {
        var catalog = SchemaCatalog.Build(_resources);
        var json = OpenApiDocumentWriter.WriteV2(ApiOperations.For(_resources), catalog.Definitions.Values.OrderBy(d => d.Name, StringComparer.Ordinal));
        return StoredDocument.From(json);
    }

    private StoredDocument BuildV2Protobuf()
    {
        var catalog = SchemaCatalog.Build(_resources);
        var bytes = SwaggerV2Protobuf.Write(ApiOperations.For(_resources), catalog.Definitions.Values.OrderBy(d => d.Name, StringComparer.Ordinal));
        return StoredDocument.From(bytes);
    }

    private V3Documents Documents(OpenApiView view) => (view == OpenApiView.Validating ? _v3Validating : _v3).Value;

    private V3Documents BuildV3(OpenApiView view)
    {
        // The validating view references no schema, so it needs no catalog (reflection over the models).
        var catalog = view == OpenApiView.Full ? SchemaCatalog.Build(_resources) : null;
        var byPath = new SortedDictionary<string, StoredDocument>(StringComparer.Ordinal);
        foreach (var groupVersion in _resources.GroupBy(r => GroupVersionPath(r.Group, r.Version)))
        {
            var paths = ApiOperations.For(groupVersion);
            if (view == OpenApiView.Validating)
            {
                paths = [.. paths.Select(p => p with { Operations = [.. p.Operations.Where(o => o.IsPatch)] }).Where(p => p.Operations.Count > 0)];
            }

            var roots = paths.SelectMany(p => p.Operations).SelectMany(o => new[] { o.Body, o.Response }).OfType<string>().Distinct(StringComparer.Ordinal);
            var json = OpenApiDocumentWriter.WriteV3(paths, catalog is null ? [] : catalog.Closure(roots), view);
            byPath[groupVersion.Key] = StoredDocument.From(json);
        }

        return new V3Documents(WriteIndex(byPath), byPath);
    }

    private static StoredDocument WriteIndex(IReadOnlyDictionary<string, StoredDocument> byPath)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("paths");
            foreach (var (path, document) in byPath)
            {
                writer.WriteStartObject(path);
                writer.WriteString("serverRelativeURL", ServerRelativeUrl(path, document.Hash));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return StoredDocument.From(buffer.WrittenSpan.ToArray());
    }

    internal static string ServerRelativeUrl(string groupVersionPath, string hash) => $"/openapi/v3/{groupVersionPath}?hash={hash}";

    private sealed record V3Documents(StoredDocument Index, IReadOnlyDictionary<string, StoredDocument> ByPath);
}
