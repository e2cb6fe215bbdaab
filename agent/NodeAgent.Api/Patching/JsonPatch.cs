using System.Globalization;
using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Json;

namespace NodeAgent.Api.Patching;

/// <summary>RFC 6902 JSON patch (<c>application/json-patch+json</c>). The input document is never modified.</summary>
public static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonNode patch)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (patch is not JsonArray operations)
        {
            throw PatchException.Invalid("a JSON patch must be an array of operations", "");
        }

        // The root travels in a holder so that "add"/"replace" at "" can swap the whole document.
        var root = new JsonArray(document.DeepClone());
        for (var i = 0; i < operations.Count; i++)
        {
            ApplyOne(root, operations[i], $"/{i}");
        }

        var result = root[0] ?? throw PatchException.Invalid("the patch left no document", "");
        root.RemoveAt(0);
        return result;
    }

    private static void ApplyOne(JsonArray root, JsonNode? operation, string at)
    {
        if (operation is not JsonObject op)
        {
            throw PatchException.Invalid("a JSON patch operation must be an object", at);
        }

        var name = RequiredString(op, "op", at);
        var path = JsonPointer.Parse(RequiredString(op, "path", at), at + "/path");
        switch (name)
        {
            case "add":
                Add(root, path, RequiredValue(op, at)?.DeepClone(), at);
                break;
            case "remove":
                Remove(root, path, at);
                break;
            case "replace":
                if (path.Count > 0)
                {
                    Remove(root, path, at);
                }

                Add(root, path, RequiredValue(op, at)?.DeepClone(), at);
                break;
            case "move":
                {
                    var from = JsonPointer.Parse(RequiredString(op, "from", at), at + "/from");
                    if (path.Count > from.Count && path.Take(from.Count).SequenceEqual(from, StringComparer.Ordinal))
                    {
                        throw PatchException.Invalid("cannot move a value into one of its own children", at + "/path");
                    }

                    var value = Get(root, from, at + "/from");
                    Remove(root, from, at + "/from");
                    Add(root, path, value, at);
                    break;
                }

            case "copy":
                {
                    var from = JsonPointer.Parse(RequiredString(op, "from", at), at + "/from");
                    Add(root, path, Get(root, from, at + "/from")?.DeepClone(), at);
                    break;
                }

            case "test":
                {
                    var actual = Get(root, path, at + "/path");
                    if (!JsonNode.DeepEquals(actual, RequiredValue(op, at)))
                    {
                        throw new PatchException(PatchErrorKind.Conflict, $"test failed: the value at \"{op["path"]}\" differs", at);
                    }

                    break;
                }

            default:
                throw PatchException.Invalid($"unknown JSON patch operation \"{name}\"", at + "/op");
        }
    }

    private static string RequiredString(JsonObject op, string member, string at)
    {
        if (op[member] is JsonValue v && v.TryGetValue<string>(out var s))
        {
            return s;
        }

        throw PatchException.Invalid($"operation is missing string member \"{member}\"", at + "/" + member);
    }

    // "value": null is a legal value; only an absent member is an error.
    private static JsonNode? RequiredValue(JsonObject op, string at) =>
        op.TryGetPropertyValue("value", out var value)
            ? value
            : throw PatchException.Invalid("operation is missing member \"value\"", at + "/value");

    private static JsonNode? Get(JsonArray root, IReadOnlyList<string> path, string at)
    {
        JsonNode? node = root[0];
        foreach (var token in path)
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) => child,
                JsonArray a when TryIndex(token, a.Count - 1, out var index) => a[index],
                _ => throw PatchException.Invalid($"path \"{Format(path)}\" does not exist", at),
            };
        }

        return node;
    }

    private static void Add(JsonArray root, IReadOnlyList<string> path, JsonNode? value, string at)
    {
        if (path.Count == 0)
        {
            root[0] = value;
            return;
        }

        var parent = Get(root, path.Take(path.Count - 1).ToList(), at + "/path");
        var last = path[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when TryIndex(last, a.Count, out var index):
                a.Insert(index, value);
                break;
            default:
                throw PatchException.Invalid($"cannot add at \"{Format(path)}\": no such parent or index", at + "/path");
        }
    }

    private static void Remove(JsonArray root, IReadOnlyList<string> path, string at)
    {
        if (path.Count == 0)
        {
            // Removing the document itself would leave nothing to store.
            throw PatchException.Invalid("cannot remove the whole document", at + "/path");
        }

        var parent = Get(root, path.Take(path.Count - 1).ToList(), at + "/path");
        var last = path[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when TryIndex(last, a.Count - 1, out var index):
                a.RemoveAt(index);
                break;
            default:
                throw PatchException.Invalid($"path \"{Format(path)}\" does not exist", at + "/path");
        }
    }

    // RFC 6901 array indexes are decimal without leading zeros; "-" is handled by the caller.
    private static bool TryIndex(string token, int max, out int index)
    {
        index = -1;
        if (token.Length == 0 || (token.Length > 1 && token[0] == '0') || !token.All(char.IsAsciiDigit))
        {
            return false;
        }

        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index <= max;
    }

    private static string Format(IReadOnlyList<string> path) => string.Concat(path.Select(t => "/" + JsonPointer.Escape(t)));
}
