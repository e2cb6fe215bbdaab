using System.Text.Json;
using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.OpenApi;

/// <summary>Swagger 2.0 (<c>/openapi/v2</c>) or OpenAPI 3.0 (<c>/openapi/v3/…</c>): where refs point and how a described ref is spelled.</summary>
internal enum OpenApiFlavor
{
    V2,
    V3,
}

/// <summary>
/// Writes definitions and property schemas as upstream's documents spell them. The one real
/// difference: OpenAPI 3.0 ignores siblings of <c>$ref</c>, so a described reference becomes
/// <c>allOf: [$ref]</c> (which <c>kubectl explain</c> follows), and IntOrString/Quantity become oneOf.
/// </summary>
internal static class SchemaWriter
{
    public static string RefPath(OpenApiFlavor flavor, string definition) =>
        (flavor == OpenApiFlavor.V2 ? "#/definitions/" : "#/components/schemas/") + definition;

    public static void WriteDefinition(Utf8JsonWriter writer, DefinitionSchema definition, OpenApiFlavor flavor)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(definition);
        writer.WriteStartObject(definition.Name);
        WriteDescription(writer, definition.Description);
        switch (definition.Form)
        {
            case DefinitionForm.IntOrString:
                writer.WriteString("format", "int-or-string");
                if (flavor == OpenApiFlavor.V2)
                {
                    writer.WriteString("type", "string");
                }
                else
                {
                    WriteOneOf(writer, "integer", "string");
                    writer.WriteBoolean("x-kubernetes-int-or-string", true);
                }

                break;
            case DefinitionForm.Quantity:
                if (flavor == OpenApiFlavor.V2)
                {
                    writer.WriteString("type", "string");
                }
                else
                {
                    WriteOneOf(writer, "string", "number");
                }

                break;
            case DefinitionForm.FreeFormObject:
                writer.WriteString("type", "object");
                break;
            default:
                WriteObjectBody(writer, definition, flavor);
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteObjectBody(Utf8JsonWriter writer, DefinitionSchema definition, OpenApiFlavor flavor)
    {
        writer.WriteStartObject("properties");
        foreach (var property in definition.Properties)
        {
            writer.WritePropertyName(property.Name);
            WriteProperty(writer, property, flavor);
        }

        writer.WriteEndObject();
        if (definition.Required.Count > 0)
        {
            writer.WriteStartArray("required");
            foreach (var name in definition.Required)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
        }

        writer.WriteString("type", "object");
        if (definition.Kinds.Count > 0)
        {
            writer.WriteStartArray("x-kubernetes-group-version-kind");
            foreach (var gvk in definition.Kinds)
            {
                WriteGroupVersionKind(writer, gvk);
            }

            writer.WriteEndArray();
        }

        if (definition.AtomicMap)
        {
            writer.WriteString("x-kubernetes-map-type", "atomic");
        }
    }

    public static void WriteGroupVersionKind(Utf8JsonWriter writer, GroupVersionKind gvk)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(gvk);
        writer.WriteStartObject();
        writer.WriteString("group", gvk.Group);
        writer.WriteString("kind", gvk.Kind);
        writer.WriteString("version", gvk.Version);
        writer.WriteEndObject();
    }

    private static void WriteProperty(Utf8JsonWriter writer, PropertySchema property, OpenApiFlavor flavor)
    {
        writer.WriteStartObject();
        if (property.Shape is RefShape reference && flavor == OpenApiFlavor.V3)
        {
            writer.WriteStartArray("allOf");
            writer.WriteStartObject();
            writer.WriteString("$ref", RefPath(flavor, reference.Definition));
            writer.WriteEndObject();
            writer.WriteEndArray();
        }
        else
        {
            WriteShapeBody(writer, property.Shape, flavor);
        }

        WriteDescription(writer, property.Description);
        if (property.Patch is { } patch)
        {
            WritePatchExtensions(writer, patch);
        }

        writer.WriteEndObject();
    }

    private static void WritePatchExtensions(Utf8JsonWriter writer, FieldMeta patch)
    {
        foreach (var (name, json) in PatchExtensions(patch))
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(json, skipInputValidation: true);
        }
    }

    /// <summary>
    /// The extensions upstream derives from patchStrategy/patchMergeKey tags and listType/listMapKeys
    /// markers, as (name, JSON value) pairs so the protobuf v2 document can carry the same values.
    /// </summary>
    public static IEnumerable<(string Name, string Json)> PatchExtensions(FieldMeta patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (patch.IsKeyed)
        {
            yield return ("x-kubernetes-list-map-keys", JsonSerializer.Serialize(patch.KeysForApply.Select(k => k.Name).ToArray(), SchemaJsonContext.Default.StringArray));
            yield return ("x-kubernetes-list-type", "\"map\"");
            yield return ("x-kubernetes-patch-merge-key", JsonSerializer.Serialize(patch.MergeKey!, SchemaJsonContext.Default.String));
        }
        else if (patch.IsSet)
        {
            yield return ("x-kubernetes-list-type", "\"set\"");
        }

        if (patch.Atomic)
        {
            yield return ("x-kubernetes-map-type", "\"atomic\"");
        }

        var strategy = (patch.Merge, patch.RetainKeys) switch
        {
            (true, true) => "merge,retainKeys",
            (true, false) => "merge",
            (false, true) => "retainKeys",
            _ => null,
        };
        if (strategy is not null)
        {
            yield return ("x-kubernetes-patch-strategy", "\"" + strategy + "\"");
        }
    }

    /// <summary>A group-version-kind as JSON (also valid YAML, which is what the protobuf document's extensions hold).</summary>
    public static string GroupVersionKindJson(GroupVersionKind gvk)
    {
        ArgumentNullException.ThrowIfNull(gvk);
        return "{\"group\":" + JsonSerializer.Serialize(gvk.Group, SchemaJsonContext.Default.String)
            + ",\"kind\":" + JsonSerializer.Serialize(gvk.Kind, SchemaJsonContext.Default.String)
            + ",\"version\":" + JsonSerializer.Serialize(gvk.Version, SchemaJsonContext.Default.String) + "}";
    }

    private static void WriteShape(Utf8JsonWriter writer, SchemaShape shape, OpenApiFlavor flavor)
    {
        writer.WriteStartObject();
        WriteShapeBody(writer, shape, flavor);
        writer.WriteEndObject();
    }

    private static void WriteShapeBody(Utf8JsonWriter writer, SchemaShape shape, OpenApiFlavor flavor)
    {
        switch (shape)
        {
            case PrimitiveShape primitive:
                if (primitive.Format is not null)
                {
                    writer.WriteString("format", primitive.Format);
                }

                writer.WriteString("type", primitive.Type);
                break;
            case ArrayShape array:
                writer.WritePropertyName("items");
                WriteShape(writer, array.Items, flavor);
                writer.WriteString("type", "array");
                break;
            case MapShape map:
                writer.WritePropertyName("additionalProperties");
                WriteShape(writer, map.Values, flavor);
                writer.WriteString("type", "object");
                break;
            case RefShape reference:
                writer.WriteString("$ref", RefPath(flavor, reference.Definition));
                break;
            default:
                writer.WriteString("type", "object");
                break;
        }
    }

    private static void WriteOneOf(Utf8JsonWriter writer, params string[] types)
    {
        writer.WriteStartArray("oneOf");
        foreach (var type in types)
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteDescription(Utf8JsonWriter writer, string? description)
    {
        if (!string.IsNullOrEmpty(description))
        {
            writer.WriteString("description", description);
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class SchemaJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
