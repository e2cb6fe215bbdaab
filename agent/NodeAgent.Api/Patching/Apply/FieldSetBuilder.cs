using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.Patching.Apply;

/// <summary>
/// The fields an object sets (structured-merge-diff's ToFieldSet): every scalar, null, empty map, atomic value,
/// set member and associative list item; maps that hold something are implied by their children.
/// </summary>
internal static class FieldSetBuilder
{
    public static FieldSet Build(JsonObject value, SchemaNode? schema)
    {
        var set = new FieldSet();
        VisitMap(value, schema, "", set);
        return set;
    }

    public static void VisitMap(JsonObject map, SchemaNode? schema, string path, FieldSet set)
    {
        foreach (var (name, child) in map)
        {
            Visit(child, schema?.Field(name), FieldPath.Append(path, FieldPath.Field(name)), set);
        }
    }

    public static void Visit(JsonNode? value, FieldMeta? meta, string path, FieldSet set)
    {
        switch (value)
        {
            case JsonObject o when o.Count > 0 && meta is not { Atomic: true }:
                VisitMap(o, meta?.Child, path, set);
                break;
            case JsonArray a when ListItems.IsAssociative(meta, a):
                for (var i = 0; i < a.Count; i++)
                {
                    var itemPath = FieldPath.Append(path, ListItems.Element(meta!, a[i], i));
                    set.Add(itemPath);
                    if (a[i] is JsonObject item)
                    {
                        VisitMap(item, meta!.Child, itemPath, set);
                    }
                }

                break;
            default:
                set.Add(path);
                break;
        }
    }
}
