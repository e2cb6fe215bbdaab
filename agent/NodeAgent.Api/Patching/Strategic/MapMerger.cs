using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.Patching.Strategic;

/// <summary>
/// Merges a patch map into an original map in place (Kubernetes' mergeMap): <c>$patch</c>, <c>$retainKeys</c>,
/// <c>$setElementOrder/…</c>, null deletes, maps recurse, lists go to <see cref="ListMerger"/>,
/// and <c>$deleteFromPrimitiveList/…</c> runs last.
/// </summary>
internal static class MapMerger
{
    /// <summary>Returns the merged map: <paramref name="original"/> itself, or a new map for <c>$patch: replace|delete</c>.</summary>
    public static JsonObject Merge(JsonObject original, JsonObject patch, SchemaNode? schema, string path)
    {
        if (patch.TryGetPropertyValue(Directives.Patch, out var directive))
        {
            switch (JsonNodes.AsString(directive))
            {
                case Directives.Replace:
                    // The patch map is the new value as it stands; nothing of the original survives.
                    patch.Remove(Directives.Patch);
                    return Clean(patch, schema, path);
                case Directives.Delete:
                    return [];
                case Directives.Merge:
                    // The default made explicit.
                    patch.Remove(Directives.Patch);
                    break;
                default:
                    throw PatchException.Invalid($"unknown $patch directive {JsonNodes.Describe(directive)}", Join(path, Directives.Patch));
            }
        }

        RetainKeys.Apply(original, patch, path);
        MergeOrderedLists(original, patch, schema, path);

        var deletions = new List<(string Key, JsonNode? Value)>();
        foreach (var key in patch.Select(p => p.Key).ToList())
        {
            var value = JsonNodes.Take(patch, key);
            if (key.StartsWith(Directives.DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                deletions.Add((key[Directives.DeleteFromPrimitiveListPrefix.Length..], value));
                continue;
            }

            if (Directives.IsDirectiveKey(key))
            {
                throw PatchException.Invalid($"unknown directive \"{key}\"", Join(path, key));
            }

            MergeField(original, key, value, schema?.Field(key), Join(path, key));
        }

        foreach (var (key, value) in deletions)
        {
            DeleteFromPrimitiveList(original, key, value, Join(path, Directives.DeleteFromPrimitiveListPrefix + key));
        }

        return original;
    }

    /// <summary>A patch value with nothing to merge into: directives and nulls are resolved against an empty value.</summary>
    public static JsonNode? Clean(JsonNode? value, FieldMeta? meta, string path) => value switch
    {
        JsonObject o => Merge([], o, meta?.Child, path),
        JsonArray a => ListMerger.Merge([], a, meta, path),
        _ => value,
    };

    public static string Join(string path, string key) => path + "." + key;

    private static JsonObject Clean(JsonObject value, SchemaNode? schema, string path) => Merge([], value, schema, path);

    private static void MergeField(JsonObject original, string key, JsonNode? patchValue, FieldMeta? meta, string path)
    {
        if (patchValue is null)
        {
            original.Remove(key);
            return;
        }

        original.TryGetPropertyValue(key, out var current);
        original[key] = (current, patchValue) switch
        {
            (JsonObject o, JsonObject p) => MergeChildMap(original, key, o, p, meta, path),
            (JsonArray o, JsonArray p) => ListMerger.Merge(o, p, meta, path),

            // Absent, or a different shape: the patch value wins (with its own directives resolved).
            _ => Clean(patchValue, meta, path),
        };
    }

    private static JsonObject MergeChildMap(JsonObject parent, string key, JsonObject child, JsonObject patch, FieldMeta? meta, string path)
    {
        // Detach first: the merge may hand back the same node, which must not have two parents.
        parent.Remove(key);
        return Merge(child, patch, meta?.Child, path);
    }

    /// <summary>
    /// <c>$setElementOrder/&lt;list&gt;</c> is processed together with its list: merge, then order the result
    /// by the directive (items it names) and the server (items it does not).
    /// </summary>
    private static void MergeOrderedLists(JsonObject original, JsonObject patch, SchemaNode? schema, string path)
    {
        foreach (var key in patch.Select(p => p.Key).Where(k => k.StartsWith(Directives.SetElementOrderPrefix, StringComparison.Ordinal)).ToList())
        {
            var at = Join(path, key);
            if (JsonNodes.Take(patch, key) is not JsonArray order)
            {
                throw PatchException.Invalid("$setElementOrder must be a list", at);
            }

            var field = key[Directives.SetElementOrderPrefix.Length..];
            var meta = schema?.Field(field);
            var fieldPath = Join(path, field);
            var hasOriginal = original.TryGetPropertyValue(field, out var originalNode) && originalNode is not null;
            var hasPatch = patch.TryGetPropertyValue(field, out var patchNode);
            if (hasOriginal && originalNode is not JsonArray)
            {
                throw PatchException.Invalid($"$setElementOrder names \"{field}\", which is not a list", at);
            }

            if (hasPatch && patchNode is not JsonArray)
            {
                throw PatchException.Invalid($"\"{field}\" must be a list", fieldPath);
            }

            var mergeKey = meta?.MergeKey;
            var orderItems = order.ToList();
            ValidateOrder((patchNode as JsonArray)?.ToList() ?? [], orderItems, mergeKey, at);
            var serverOrder = (originalNode as JsonArray)?.Select(n => n?.DeepClone()).ToList() ?? [];

            JsonArray merged;
            if (hasOriginal && hasPatch)
            {
                original.Remove(field);
                merged = ListMerger.Merge((JsonArray)originalNode!, (JsonArray)JsonNodes.Take(patch, field)!, meta, fieldPath);
            }
            else if (hasPatch)
            {
                merged = ListMerger.Merge([], (JsonArray)JsonNodes.Take(patch, field)!, meta, fieldPath);
            }
            else if (hasOriginal)
            {
                original.Remove(field);
                merged = (JsonArray)originalNode!;
            }
            else
            {
                continue;
            }

            original[field] = JsonNodes.ToArray(ElementOrder.Normalize(JsonNodes.TakeAll(merged), orderItems, serverOrder, mergeKey));
        }
    }

    // The patch list must name its items in the same relative order as $setElementOrder (validatePatchWithSetOrderList).
    private static void ValidateOrder(List<JsonNode?> patchList, List<JsonNode?> order, string? mergeKey, string at)
    {
        var items = patchList.Where(i => i is not JsonObject o || !o.ContainsKey(Directives.Patch)).ToList();
        int p = 0, s = 0;
        while (p < items.Count && s < order.Count)
        {
            if (JsonNode.DeepEquals(ElementOrder.KeyOf(items[p], mergeKey), ElementOrder.KeyOf(order[s], mergeKey)))
            {
                p++;
            }

            s++;
        }

        if (p < items.Count)
        {
            throw PatchException.Invalid("the order of the patch list does not match $setElementOrder", at);
        }
    }

    private static void DeleteFromPrimitiveList(JsonObject original, string key, JsonNode? values, string path)
    {
        if (values is not JsonArray toDelete)
        {
            throw PatchException.Invalid("$deleteFromPrimitiveList must be a list", path);
        }

        if (original[key] is not JsonArray list)
        {
            // Nothing to delete from; Kubernetes skips it too.
            return;
        }

        var kept = JsonNodes.TakeAll(list).Where(item => !toDelete.Any(d => JsonNode.DeepEquals(d, item)));
        original[key] = JsonNodes.ToArray(kept);
    }
}
