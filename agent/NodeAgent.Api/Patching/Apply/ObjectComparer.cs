using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.Patching.Apply;

/// <summary>What changed between two versions of an object, as field sets (structured-merge-diff's Compare).</summary>
internal sealed class ObjectComparer
{
    public FieldSet Added { get; } = new();

    public FieldSet Modified { get; } = new();

    public FieldSet Removed { get; } = new();

    public FieldSet Changed => Added.Union(Modified);

    public static ObjectComparer Compare(JsonObject before, JsonObject after, SchemaNode? schema)
    {
        var comparer = new ObjectComparer();
        comparer.CompareMaps(before, after, schema, "");
        return comparer;
    }

    private void CompareMaps(JsonObject before, JsonObject after, SchemaNode? schema, string path)
    {
        foreach (var name in before.Select(p => p.Key).Union(after.Select(p => p.Key)))
        {
            var childPath = FieldPath.Append(path, FieldPath.Field(name));
            var inBefore = before.TryGetPropertyValue(name, out var b);
            var inAfter = after.TryGetPropertyValue(name, out var a);
            CompareValues(inBefore, b, inAfter, a, schema?.Field(name), childPath);
        }
    }

    private void CompareValues(bool inBefore, JsonNode? before, bool inAfter, JsonNode? after, FieldMeta? meta, string path)
    {
        if (!inAfter)
        {
            Everything(before, meta, path, Removed);
            return;
        }

        if (!inBefore)
        {
            Everything(after, meta, path, Added);
            return;
        }

        switch (before, after)
        {
            case (JsonObject b, JsonObject a) when meta is not { Atomic: true }:
                CompareMaps(b, a, meta?.Child, path);
                break;
            case (JsonArray b, JsonArray a) when ListItems.IsAssociative(meta, b) && ListItems.IsAssociative(meta, a):
                var beforeItems = ListItems.ByElement(meta!, b);
                var afterItems = ListItems.ByElement(meta!, a);
                foreach (var element in beforeItems.Keys.Union(afterItems.Keys))
                {
                    var itemPath = FieldPath.Append(path, element);
                    var wasThere = beforeItems.TryGetValue(element, out var bi);
                    var isThere = afterItems.TryGetValue(element, out var ai);
                    if (wasThere && isThere && bi is JsonObject bo && ai is JsonObject ao)
                    {
                        CompareMaps(bo, ao, meta!.Child, itemPath);
                    }
                    else
                    {
                        CompareValues(wasThere, bi, isThere, ai, ItemMeta(meta!), itemPath);
                    }
                }

                break;
            default:
                if (!JsonNode.DeepEquals(before, after))
                {
                    Modified.Add(path);
                }

                break;
        }
    }

    private static FieldMeta? ItemMeta(FieldMeta list) => list.Child is null ? null : new FieldMeta(Child: list.Child);

    // A value that appeared or vanished: the node itself and every node it holds (so new maps own themselves, ".").
    private static void Everything(JsonNode? value, FieldMeta? meta, string path, FieldSet into)
    {
        into.Add(path);
        if (value is JsonObject o && meta is not { Atomic: true })
        {
            foreach (var (name, child) in o)
            {
                Everything(child, meta?.Child?.Field(name), FieldPath.Append(path, FieldPath.Field(name)), into);
            }
        }
        else if (value is JsonArray a && ListItems.IsAssociative(meta, a))
        {
            for (var i = 0; i < a.Count; i++)
            {
                Everything(a[i], ItemMeta(meta!), FieldPath.Append(path, ListItems.Element(meta!, a[i], i)), into);
            }
        }
    }
}
