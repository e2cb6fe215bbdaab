using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using NodeAgent.Api.Patching;
using NodeAgent.Api.Patching.Schema;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// Puts Patching's per-kind patch metadata onto the model properties it describes, so the OpenAPI
/// documents carry the same merge keys and list types the server merges with
/// (<c>x-kubernetes-patch-merge-key</c>, <c>x-kubernetes-list-type</c>, …).
/// </summary>
internal static class PatchAnnotations
{
    public static IReadOnlyDictionary<(Type Type, string Property), FieldMeta> Collect(IEnumerable<ResourceDefinition> resources)
    {
        var annotations = new Dictionary<(Type, string), FieldMeta>();
        foreach (var resource in resources)
        {
            Walk(resource.ModelType, PatchSchema.For(resource.ApiVersion, resource.Kind).Root, annotations);
        }

        return annotations;
    }

    private static void Walk([DynamicallyAccessedMembers(ModelTypes.Members)] Type type, SchemaNode node, Dictionary<(Type, string), FieldMeta> annotations)
    {
        foreach (var (property, jsonName) in ModelProperties.Of(type))
        {
            var meta = node.Field(jsonName);
            if (meta is null)
            {
                continue;
            }

            annotations.TryAdd((type, jsonName), meta);
            if (meta.Child is { } child)
            {
                Walk(ModelProperties.ElementType(property.PropertyType), child, annotations);
            }
        }
    }
}

/// <summary>The serialized properties of a model: those System.Text.Json writes, under their JSON names.</summary>
internal static class ModelProperties
{
    public static IEnumerable<(PropertyInfo Property, string JsonName)> Of([DynamicallyAccessedMembers(ModelTypes.Members)] Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Name: p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name))
            .Where(p => p.Name is not null && p.Property.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
            .Select(p => (p.Property, p.Name!));

    /// <summary>The item type of a list, the value type of a map, else the type itself.</summary>
    [return: DynamicallyAccessedMembers(ModelTypes.Members)]
    public static Type ElementType(Type type) => ModelTypes.Reached(ElementTypeOf(type));

    private static Type ElementTypeOf(Type type)
    {
        if (type.IsArray && type != typeof(byte[]))
        {
            return type.GetElementType()!;
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>))
            {
                return type.GetGenericArguments()[1];
            }

            if (definition == typeof(IList<>) || definition == typeof(List<>) || definition == typeof(IEnumerable<>)
                || definition == typeof(ICollection<>) || definition == typeof(IReadOnlyList<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return type;
    }

    public static bool IsMap(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(IDictionary<,>) || type.GetGenericTypeDefinition() == typeof(Dictionary<,>));

    public static bool IsList(Type type) => type != typeof(byte[]) && !IsMap(type) && ElementType(type) != type;
}
