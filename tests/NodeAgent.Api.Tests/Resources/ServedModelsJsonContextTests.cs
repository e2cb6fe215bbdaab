using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;
using NodeAgent.Api.Registry.Listing;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Tests.Resources;

/// <summary>
/// Our generated context for the served kinds must write and read exactly what the client's own context does, for
/// every property of every type it covers: the Native AOT publish serves with ours alone.
/// </summary>
public sealed class ServedModelsJsonContextTests
{
    public static TheoryData<string> ServedTypes()
    {
        var data = new TheoryData<string>();
        foreach (var attribute in typeof(ServedModelsJsonContext).GetCustomAttributesData())
        {
            if (attribute.AttributeType == typeof(JsonSerializableAttribute))
            {
                data.Add(((Type)attribute.ConstructorArguments[0].Value!).FullName!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ServedTypes))]
    public void Every_property_is_written_and_read_as_the_clients_context_does(string typeName)
    {
        var type = typeof(V1Pod).Assembly.GetType(typeName, throwOnError: true)!;
        var value = ModelFiller.Fill(type);

        var clientJson = JsonSerializer.Serialize(value, ClientOnly.GetTypeInfo(type));
        var ourJson = JsonSerializer.Serialize(value, OursOnly.GetTypeInfo(type));
        Assert.Equal(clientJson, ourJson);
        Assert.NotEqual("{}", ourJson);

        if (type == typeof(V1Patch))
        {
            // The client only writes patches (its converter's Read throws); ours must behave the same.
            Assert.Throws<NotImplementedException>(() => JsonSerializer.Deserialize(clientJson, ClientOnly.GetTypeInfo(type)));
            Assert.Throws<NotImplementedException>(() => JsonSerializer.Deserialize(clientJson, OursOnly.GetTypeInfo(type)));
            return;
        }

        var readBack = JsonSerializer.Deserialize(clientJson, OursOnly.GetTypeInfo(type));
        Assert.Equal(clientJson, JsonSerializer.Serialize(readBack, ClientOnly.GetTypeInfo(type)));
    }

    [Fact]
    public void The_clients_settings_resolve_served_kinds_with_our_context_first()
    {
        // A fresh copy of the client's settings, as the process sees them before anything serialized.
        var options = new JsonSerializerOptions(KubernetesJsonOptions.Options) { TypeInfoResolver = ClientOnly.TypeInfoResolver };

        KubernetesJsonOptions.PutServedModelsFirst(options);
        KubernetesJsonOptions.PutServedModelsFirst(options);

        Assert.Same(ServedModelsJsonContext.Default, options.TypeInfoResolverChain[0]);
        Assert.Equal(1, options.TypeInfoResolverChain.Count(r => r == ServedModelsJsonContext.Default));
        Assert.Same(ServedModelsJsonContext.Default, options.GetTypeInfo(typeof(V1Pod)).OriginatingResolver);
        Assert.NotSame(ServedModelsJsonContext.Default, options.GetTypeInfo(typeof(V1APIServiceList)).OriginatingResolver);
        Assert.Equal(JsonIgnoreCondition.WhenWritingNull, options.DefaultIgnoreCondition);
    }

    private static readonly JsonSerializerOptions ClientOnly = new(KubernetesJsonOptions.Options)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(SourceGenerationContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    // No fallback: a type missing from the generated closure fails here instead of silently using reflection.
    private static readonly JsonSerializerOptions OursOnly = new(KubernetesJsonOptions.Options)
    {
        TypeInfoResolver = ServedModelsJsonContext.Default,
    };
}

/// <summary>Builds a model with every JSON property set (one item per list, one entry per map), to a bounded depth.</summary>
internal static class ModelFiller
{
    private static readonly DateTime Time = new(2026, 11, 29, 10, 11, 12, 345, DateTimeKind.Utc);

    public static object Fill(Type type) => Value(type, [], 0) ?? throw new InvalidOperationException($"cannot fill {type}");

    private static object? Value(Type type, HashSet<Type> open, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string)) return "s" + depth;
        if (underlying == typeof(bool)) return true;
        if (underlying == typeof(int)) return 7 + depth;
        if (underlying == typeof(long)) return 70L + depth;
        if (underlying == typeof(double)) return 0.5 + depth;
        if (underlying == typeof(DateTime)) return Time;
        if (underlying == typeof(byte[])) return new byte[] { 1, 2, 250 };
        if (underlying == typeof(object)) return "o" + depth;
        if (underlying == typeof(ResourceQuantity)) return new ResourceQuantity("250m");
        if (underlying == typeof(IntOrString)) return (IntOrString)"8080";
        if (underlying == typeof(V1Patch)) return new V1Patch("{\"a\":1}", V1Patch.PatchType.MergePatch);
        if (underlying.IsEnum) return Enum.GetValues(underlying).GetValue(0);
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>)))
        {
            var valueType = underlying.GetGenericArguments()[1];
            var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
            var item = Value(valueType, open, depth + 1);
            if (item is not null) map["k" + depth] = item;
            return map;
        }

        if (underlying.IsGenericType && typeof(IEnumerable).IsAssignableFrom(underlying))
        {
            var itemType = underlying.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
            var item = Value(itemType, open, depth + 1);
            if (item is not null) list.Add(item);
            return list;
        }

        if (underlying.Namespace != "k8s.Models" || depth > 12 || !open.Add(underlying)) return null;
        try
        {
            var model = Activator.CreateInstance(underlying)!;
            foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.CanWrite && property.GetCustomAttribute<JsonPropertyNameAttribute>() is not null)
                {
                    property.SetValue(model, Value(property.PropertyType, open, depth + 1));
                }
            }

            return model;
        }
        finally
        {
            open.Remove(underlying);
        }
    }
}
