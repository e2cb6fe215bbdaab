using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.Patching.Strategic;

/// <summary>
/// Merges a patch list into an original list (Kubernetes' mergeSlice): atomic lists are replaced, sets of
/// primitives are unioned, lists of objects merge item by item on the merge key with <c>$patch: delete|replace</c>
/// items, then the result is ordered by <see cref="ElementOrder"/>.
/// </summary>
internal static class ListMerger
{
    public static JsonArray Merge(JsonArray original, JsonArray patch, FieldMeta? meta, string path)
    {
        if (meta is not { Merge: true })
        {
            // No patch strategy: the list is one value. Its items are cleaned of nulls/directives like any new value.
            var items = JsonNodes.TakeAll(patch).Select((item, i) => item is JsonObject o ? MapMerger.Merge([], o, meta?.Child, $"{path}[{i}]") : item);
            return JsonNodes.ToArray(items);
        }

        var originalItems = JsonNodes.TakeAll(original);
        var patchItems = JsonNodes.TakeAll(patch);
        var objects = originalItems.Concat(patchItems).Count(i => i is JsonObject);
        if (objects == 0)
        {
            return JsonNodes.ToArray(MergePrimitives(originalItems, patchItems));
        }

        if (objects != originalItems.Count + patchItems.Count)
        {
            throw PatchException.Invalid("a list must not mix objects and other values", path);
        }

        if (meta.MergeKey is null)
        {
            throw PatchException.Invalid("cannot merge a list of objects that has no merge key", path);
        }

        return JsonNodes.ToArray(MergeObjects(originalItems, patchItems.Cast<JsonObject>().ToList(), meta, path));
    }

    private static List<JsonNode?> MergePrimitives(List<JsonNode?> original, List<JsonNode?> patch)
    {
        var merged = new List<JsonNode?>();
        foreach (var item in original.Concat(patch))
        {
            if (!merged.Any(m => JsonNode.DeepEquals(m, item)))
            {
                merged.Add(item);
            }
        }

        return ElementOrder.Normalize(merged, patch, original, null);
    }

    private static List<JsonNode?> MergeObjects(List<JsonNode?> original, List<JsonObject> patch, FieldMeta meta, string path)
    {
        var key = meta.MergeKey!;
        var (items, replace) = ApplySpecialItems(original, patch, key, path);
        if (replace)
        {
            // "$patch: replace" in a list: the patch's other items are the whole new list.
            return items.Select((p, i) => (JsonNode?)MapMerger.Merge([], p, meta.Child, $"{path}[{i}]")).ToList();
        }

        var serverOrder = original.Select(n => n?.DeepClone()).ToList();

        // Merging consumes the patch items, so remember their keys for ordering first.
        var patchOrder = items.Select(i => (JsonNode?)new JsonObject { [key] = i[key]?.DeepClone() }).ToList();
        var merged = original.ToList();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var at = $"{path}[{i}]";
            if (!item.TryGetPropertyValue(key, out var keyValue))
            {
                throw PatchException.Invalid($"list item does not contain the merge key \"{key}\"", at);
            }

            var index = merged.FindIndex(m => m is JsonObject o && o.ContainsKey(key) && JsonNode.DeepEquals(o[key], keyValue));
            if (index < 0)
            {
                merged.Add(MapMerger.Merge([], item, meta.Child, at));
            }
            else
            {
                merged[index] = MapMerger.Merge((JsonObject)merged[index]!, item, meta.Child, at);
            }
        }

        return ElementOrder.Normalize(merged, patchOrder, serverOrder, key);
    }

    /// <summary>Handles <c>{key: x, $patch: delete}</c> (remove matching items) and <c>{$patch: replace}</c> items.</summary>
    private static (List<JsonObject> Items, bool Replace) ApplySpecialItems(List<JsonNode?> original, List<JsonObject> patch, string key, string path)
    {
        var rest = new List<JsonObject>();
        var replace = false;
        for (var i = 0; i < patch.Count; i++)
        {
            var item = patch[i];
            if (!item.TryGetPropertyValue(Directives.Patch, out var directive))
            {
                rest.Add(item);
                continue;
            }

            var at = $"{path}[{i}]";
            switch (JsonNodes.AsString(directive))
            {
                case Directives.Delete:
                    if (!item.TryGetPropertyValue(key, out var keyValue))
                    {
                        throw PatchException.Invalid($"$patch: delete item does not contain the merge key \"{key}\"", at);
                    }

                    original.RemoveAll(o => o is JsonObject m && m.ContainsKey(key) && JsonNode.DeepEquals(m[key], keyValue));
                    break;
                case Directives.Replace:
                    replace = true;
                    break;
                case Directives.Merge:
                    // Kubernetes refuses this too: "merging lists cannot yet be specified in the patch".
                    throw PatchException.Invalid("$patch: merge is not allowed in a list", at);
                default:
                    throw PatchException.Invalid($"unknown $patch directive {JsonNodes.Describe(directive)}", at);
            }
        }

        return (rest, replace);
    }
}
