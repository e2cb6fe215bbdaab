using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeAgent.Api.Patching.Strategic;

/// <summary>Small JsonNode helpers: a node can have one parent, so values are detached before they move.</summary>
internal static class JsonNodes
{
    /// <summary>Removes <paramref name="key"/> from <paramref name="o"/> and returns its (now parentless) value.</summary>
    public static JsonNode? Take(JsonObject o, string key)
    {
        o.Remove(key, out var value);
        return value;
    }

    /// <summary>Empties the array and returns its items, parentless.</summary>
    public static List<JsonNode?> TakeAll(JsonArray a)
    {
        var items = a.ToList();
        a.Clear();
        return items;
    }

    public static JsonArray ToArray(IEnumerable<JsonNode?> items)
    {
        var a = new JsonArray();
        foreach (var item in items)
        {
            a.Add(item);
        }

        return a;
    }

    public static string? AsString(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static string Describe(JsonNode? node) => node?.ToJsonString() ?? "null";
}
