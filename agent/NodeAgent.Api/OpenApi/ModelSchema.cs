using NodeAgent.Api.Patching.Schema;

namespace NodeAgent.Api.OpenApi;

/// <summary>The JSON shape of a property or of a list item / map value; both writers render it (v2 and v3 differ only in spelling).</summary>
internal abstract record SchemaShape;

/// <summary>string/integer/number/boolean with an optional format (int32, int64, double, date-time, byte).</summary>
internal sealed record PrimitiveShape(string Type, string? Format = null) : SchemaShape;

internal sealed record ArrayShape(SchemaShape Items) : SchemaShape;

/// <summary>A JSON object with string keys: <c>additionalProperties</c>.</summary>
internal sealed record MapShape(SchemaShape Values) : SchemaShape;

/// <summary>A reference to a named definition (<c>#/definitions/…</c> or <c>#/components/schemas/…</c>).</summary>
internal sealed record RefShape(string Definition) : SchemaShape;

/// <summary>Arbitrary JSON (<c>object</c> in the models, e.g. managedFields' fieldsV1).</summary>
internal sealed record FreeFormShape : SchemaShape;

internal sealed record GroupVersionKind(string Group, string Version, string Kind);

/// <param name="Patch">Patch metadata from Patching's schema: merge key/strategy, list type and keys.</param>
internal sealed record PropertySchema(string Name, SchemaShape Shape, string? Description, FieldMeta? Patch);

/// <summary>How a definition is rendered: an object with properties, or one of apimachinery's special string types.</summary>
internal enum DefinitionForm
{
    Object,
    IntOrString,
    Quantity,
    FreeFormObject,
}

/// <summary>One named schema (<c>io.k8s.api.core.v1.Pod</c>).</summary>
internal sealed record DefinitionSchema(
    string Name,
    DefinitionForm Form,
    string? Description,
    IReadOnlyList<PropertySchema> Properties,
    IReadOnlyList<string> Required,
    IReadOnlyList<GroupVersionKind> Kinds,
    bool AtomicMap = false);
