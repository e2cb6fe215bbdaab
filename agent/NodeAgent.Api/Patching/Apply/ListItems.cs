using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.Patching.Apply;

/// <summary>How server-side apply sees a list: atomic (one value), a set of primitives, or a map of items by key.</summary>
internal static class ListItems
{
    public static bool IsAssociative(FieldMeta? meta, JsonArray list) =>
        meta is { Merge: true } && list.All(i => meta.IsKeyed ? i is JsonObject : i is JsonValue);

    /// <summary>The path element naming one item of an associative list.</summary>
    public static string Element(FieldMeta meta, JsonNode? item, int index)
    {
        if (meta.IsSet)
        {
            return FieldPath.Value(item);
        }

        var o = (JsonObject)item!;
        var fields = new List<KeyValuePair<string, JsonNode?>>();
        foreach (var key in meta.KeysForApply)
        {
            if (o.TryGetPropertyValue(key.Name, out var value) && value is not null)
            {
                fields.Add(new(key.Name, value));
            }
            else if (key.Default is not null)
            {
                fields.Add(new(key.Name, JsonValue.Create(key.Default)));
            }
        }

        // An item without any key cannot be addressed by key; its position is the best name left.
        return fields.Count == 0 ? FieldPath.Index(index) : FieldPath.Key(fields);
    }

    /// <summary>The items of an associative list by their path element (first one wins on duplicates).</summary>
    public static Dictionary<string, JsonNode?> ByElement(FieldMeta meta, JsonArray list)
    {
        var items = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            items.TryAdd(Element(meta, list[i], i), list[i]);
        }

        return items;
    }
}
