using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.Patching.Apply;

/// <summary>Removes the values at field paths from an object; a path that is already gone is no error.</summary>
internal static class FieldRemover
{
    public static void Remove(JsonObject root, string path, SchemaNode? schema)
    {
        var elements = FieldPath.Elements(path);
        JsonNode? node = root;
        FieldMeta? meta = null;
        var nodeSchema = schema;
        for (var i = 0; i < elements.Length; i++)
        {
            var element = elements[i];
            var last = i == elements.Length - 1;
            switch (node)
            {
                case JsonObject o when element.StartsWith("f:", StringComparison.Ordinal):
                    var name = element[2..];
                    if (last)
                    {
                        o.Remove(name);
                        return;
                    }

                    meta = nodeSchema?.Field(name);
                    nodeSchema = meta?.Child;
                    node = o[name];
                    break;
                case JsonArray a when meta is not null:
                    var index = Find(a, meta, element);
                    if (index < 0)
                    {
                        return;
                    }

                    if (last)
                    {
                        a.RemoveAt(index);
                        return;
                    }

                    node = a[index];
                    nodeSchema = meta.Child;
                    meta = null;
                    break;
                default:
                    return;
            }
        }
    }

    private static int Find(JsonArray list, FieldMeta meta, string element)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ListItems.Element(meta, list[i], i) == element)
            {
                return i;
            }
        }

        return -1;
    }
}
