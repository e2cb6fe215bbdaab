using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.Patching.Apply;

/// <summary>
/// Merges an applied configuration onto the live object (structured-merge-diff's Merge): maps merge, associative
/// lists merge item by key, sets union, atomic values are replaced. Live items keep their place; new ones follow.
/// </summary>
internal static class ApplyMerger
{
    public static JsonObject Merge(JsonObject live, JsonObject applied, SchemaNode? schema)
    {
        var result = (JsonObject)live.DeepClone();
        foreach (var (name, value) in applied)
        {
            var meta = schema?.Field(name);
            result.TryGetPropertyValue(name, out var current);
            result[name] = MergeValue(current, value, meta);
        }

        return result;
    }

    private static JsonNode? MergeValue(JsonNode? live, JsonNode? applied, FieldMeta? meta) => (live, applied) switch
    {
        (JsonObject l, JsonObject a) when meta is not { Atomic: true } => Merge(l, a, meta?.Child),
        (JsonArray l, JsonArray a) when ListItems.IsAssociative(meta, l) && ListItems.IsAssociative(meta, a) => MergeList(l, a, meta!),
        _ => applied?.DeepClone(),
    };

    private static JsonArray MergeList(JsonArray live, JsonArray applied, FieldMeta meta)
    {
        var appliedItems = ListItems.ByElement(meta, applied);
        var result = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < live.Count; i++)
        {
            var element = ListItems.Element(meta, live[i], i);
            seen.Add(element);
            result.Add(appliedItems.TryGetValue(element, out var a) ? MergeValue(live[i], a, ItemMeta(meta)) : live[i]?.DeepClone());
        }

        foreach (var (element, item) in appliedItems)
        {
            if (seen.Add(element))
            {
                result.Add(item?.DeepClone());
            }
        }

        return result;
    }

    private static FieldMeta? ItemMeta(FieldMeta list) => list.Child is null ? null : new FieldMeta(Child: list.Child);
}
