using System.Runtime.CompilerServices;
using System.Text.Json;
using NodeAgent.Api.Resources;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>
/// One stored object as the read side needs it, computed lazily and at most once: its wire JSON (with and
/// without apiVersion/kind), metadata, labels, selectable fields and typed model. Values the store hands to
/// several watchers (the SQLite watch cache shares its events) share one instance, so twenty watchers of
/// one event decode and encode it once. Races only compute a value twice; every value is immutable.
/// </summary>
internal sealed class StoredItem
{
    private static readonly ConditionalWeakTable<KeyValue, StoredItem> Shared = [];

    private readonly KeyValue _value;
    private (byte[] Json, Range Metadata)? _object;
    private byte[]? _item;
    private Metadata? _metadata;
    private object? _model;
    private IReadOnlyDictionary<string, string>? _fields;

    private StoredItem(KeyValue value, long revision)
    {
        _value = value;
        Revision = revision;
    }

    public string Key => _value.Key;

    /// <summary>The resourceVersion the object is served with.</summary>
    public long Revision { get; }

    /// <summary>The item for a stored value, with resourceVersion = its ModRevision, shared by everyone holding the same value (watch events).</summary>
    public static StoredItem For(KeyValue value) => Shared.GetValue(value, static v => new StoredItem(v, v.ModRevision));

    /// <summary>An item of its own (a list: its values are fresh reads no other request shares, so a shared entry would only cost).</summary>
    public static StoredItem Of(KeyValue value) => new(value, value.ModRevision);

    /// <summary>An object that is not (or not yet) a stored value, e.g. the result of a write, already carrying its resourceVersion.</summary>
    public static StoredItem FromObject(byte[] json)
    {
        var item = new StoredItem(new KeyValue("", json, 0, 0), 0);
        item._object = (json, StoredJson.FindMetadata(json));
        return item;
    }

    /// <summary>The stored value served with another resourceVersion (a DELETED event for an object that stopped matching).</summary>
    public static StoredItem WithRevision(KeyValue value, long revision) => new(value, revision);

    /// <summary>The object as a watch event or a GET carries it: apiVersion, kind, resourceVersion.</summary>
    public ReadOnlyMemory<byte> ObjectJson => (_object ??= StoredJson.Rewrite(_value.Value.Span, Revision, keepTypeMeta: true)).Json;

    /// <summary>The object as an item of a typed list: without apiVersion and kind.</summary>
    public ReadOnlyMemory<byte> ItemJson => _item ??= StoredJson.Rewrite(_value.Value.Span, Revision, keepTypeMeta: false).Json;

    /// <summary>The metadata object (with resourceVersion).</summary>
    public ReadOnlyMemory<byte> MetadataJson
    {
        get
        {
            var (json, range) = _object ??= StoredJson.Rewrite(_value.Value.Span, Revision, keepTypeMeta: true);
            return json.AsMemory()[range];
        }
    }

    public string Name => Meta.Name;

    public string Namespace => Meta.Namespace;

    public IReadOnlyDictionary<string, string> Labels => Meta.Labels;

    private Metadata Meta => _metadata ??= Metadata.Read(MetadataJson.Span);

    /// <summary>The typed KubernetesClient model (for strategies: Table cells, selectable fields).</summary>
    public object Model(Type modelType) =>
        _model ??= JsonSerializer.Deserialize(ObjectJson.Span, KubernetesJsonOptions.Options.GetTypeInfo(modelType))
            ?? throw new JsonException($"stored value of {Key} is null");

    /// <summary>A field selector's view: metadata.name and metadata.namespace from the JSON, anything else from the strategy.</summary>
    public string? Field(string field, ResourceDefinition resource) => field switch
    {
        "metadata.name" => Name,
        "metadata.namespace" => Namespace,
        _ => (_fields ??= resource.Strategy.SelectableFields(Model(resource.ModelType))).TryGetValue(field, out var v) ? v : null,
    };

    private sealed record Metadata(string Name, string Namespace, IReadOnlyDictionary<string, string> Labels)
    {
        private static readonly Dictionary<string, string> NoLabels = [];

        public static Metadata Read(ReadOnlySpan<byte> json)
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            string name = "", ns = "";
            Dictionary<string, string>? labels = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    name = reader.GetString() ?? "";
                }
                else if (reader.ValueTextEquals("namespace"u8))
                {
                    reader.Read();
                    ns = reader.GetString() ?? "";
                }
                else if (reader.ValueTextEquals("labels"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    labels = new Dictionary<string, string>(StringComparer.Ordinal);
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var key = reader.GetString()!;
                        reader.Read();
                        labels[key] = reader.TokenType == JsonTokenType.String ? reader.GetString()! : "";
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return new Metadata(name, ns, labels ?? NoLabels);
        }
    }
}
