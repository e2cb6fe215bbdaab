namespace NodeAgent.Api.Patching.Schema;

/// <summary>
/// Patch metadata of one field, as Kubernetes' Go struct tags give it (<c>patchStrategy</c>, <c>patchMergeKey</c>)
/// plus what server-side apply needs (<c>listMapKeys</c>, atomic maps).
/// </summary>
/// <param name="Merge">patchStrategy "merge": lists merge by <paramref name="MergeKey"/>, or as a set when the items are primitives.</param>
/// <param name="MergeKey">patchMergeKey of a list of objects.</param>
/// <param name="RetainKeys">patchStrategy "retainKeys" (on a map, or on each item of a list).</param>
/// <param name="Atomic">An atomic map (structType/mapType atomic, e.g. a LabelSelector): apply owns it whole.</param>
/// <param name="Child">Schema of the map, or of each list item; null when nothing inside is special.</param>
/// <param name="ListKeys">listMapKeys for server-side apply, with a default for keys that are defaulted (protocol → TCP).</param>
internal sealed record FieldMeta(
    bool Merge = false,
    string? MergeKey = null,
    bool RetainKeys = false,
    bool Atomic = false,
    SchemaNode? Child = null,
    IReadOnlyList<ListKey>? ListKeys = null)
{
    /// <summary>A list of primitives with patchStrategy merge (e.g. finalizers).</summary>
    public bool IsSet => Merge && MergeKey is null;

    /// <summary>A list of objects merged by key.</summary>
    public bool IsKeyed => Merge && MergeKey is not null;

    /// <summary>Keys identifying an item of a keyed list for server-side apply.</summary>
    public IReadOnlyList<ListKey> KeysForApply => ListKeys ?? (MergeKey is null ? [] : [new ListKey(MergeKey)]);
}

/// <summary>A list-map key field; <paramref name="Default"/> is used when an item omits it.</summary>
internal sealed record ListKey(string Name, string? Default = null);

/// <summary>The fields of one object type that have patch metadata; all other fields are plain.</summary>
internal sealed class SchemaNode(IReadOnlyDictionary<string, FieldMeta> fields)
{
    public static readonly SchemaNode Empty = new(new Dictionary<string, FieldMeta>());

    public FieldMeta? Field(string name) => fields.GetValueOrDefault(name);
}
