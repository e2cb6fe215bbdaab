using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using NodeAgent.Api.Registry.Listing;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Http;

/// <summary>
/// Converts between JSON trees and KubernetesClient models with the client's own settings
/// (<see cref="KubernetesJson"/>), so the wire format is exactly the client's; and knows each
/// model's JSON property names, for unknown-field detection.
/// </summary>
internal static class ModelJson
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>?> Properties = new();

    /// <summary>The typed model of <paramref name="json"/>; a value of the wrong shape is a 400.</summary>
    public static object ToModel(JsonNode json, Type type)
    {
        // What KubernetesJson.Deserialize<T> does, through the client's type info for a type known at run time (no
        // generic method made by reflection, which Native AOT cannot promise).
        try
        {
            return JsonSerializer.Deserialize(json.ToJsonString(), KubernetesJsonOptions.Options.GetTypeInfo(type)) ?? throw ApiException.BadRequest("the request body is null");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw ApiException.BadRequest($"unable to decode the object: {e.Message}");
        }
    }

    public static JsonObject ToJson(object model)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(model))?.AsObject() ?? [];
        TrimWholeSecondTimes(json);
        return json;
    }

    /// <summary>
    /// The client writes every time as RFC 3339 with microseconds; upstream writes metav1.Time with whole
    /// seconds. Times that are whole seconds get their zero fraction removed so round-tripped objects
    /// look like upstream's (MicroTime fields with a real fraction keep it).
    /// </summary>
    private static void TrimWholeSecondTimes(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var s) && IsWholeSecondMicroTime(s))
                    {
                        obj[key] = s[..^8] + "Z";
                    }
                    else
                    {
                        TrimWholeSecondTimes(value);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var s) && IsWholeSecondMicroTime(s))
                    {
                        array[i] = s[..^8] + "Z";
                    }
                    else
                    {
                        TrimWholeSecondTimes(array[i]);
                    }
                }

                break;
        }
    }

    private static bool IsWholeSecondMicroTime(string s) =>
        s.Length == 27 && s.EndsWith(".000000Z", StringComparison.Ordinal) && s[4] == '-' && s[10] == 'T' && char.IsAsciiDigit(s[0]);

    /// <summary>
    /// The JSON properties of a model type (name → property type), or null for types that are
    /// leaves on the wire (strings, numbers, quantities, int-or-string, free-form objects).
    /// </summary>
    public static IReadOnlyDictionary<string, Type>? PropertiesOf([DynamicallyAccessedMembers(ModelTypes.Members)] Type type) => Properties.GetOrAdd(type, static key =>
    {
        var t = ModelTypes.Reached(key);
        if (t.Namespace != "k8s.Models" || t.GetCustomAttribute<JsonConverterAttribute>() is not null || t.IsEnum)
        {
            return null;
        }

        var map = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (name is not null)
            {
                map[name] = property.PropertyType;
            }
        }

        return map.Count == 0 ? null : map;
    });

    /// <summary>The element type of a list, or the value type of a map, or null.</summary>
    public static (Type? Element, bool IsMap) Container([DynamicallyAccessedMembers(ModelTypes.Members)] Type type)
    {
        if (type == typeof(string) || type == typeof(byte[]))
        {
            return (null, false);
        }

        foreach (var candidate in type.GetInterfaces().Append(type).Where(i => i.IsGenericType))
        {
            var definition = candidate.GetGenericTypeDefinition();
            if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            {
                return (candidate.GetGenericArguments()[1], true);
            }
        }

        foreach (var candidate in type.GetInterfaces().Append(type).Where(i => i.IsGenericType))
        {
            if (candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return (candidate.GetGenericArguments()[0], false);
            }
        }

        return (null, false);
    }

    /// <summary>Paths (<c>spec.containers[0].foo</c>) of fields the model has no property for.</summary>
    public static List<string> UnknownFields(JsonNode json, [DynamicallyAccessedMembers(ModelTypes.Members)] Type type)
    {
        var found = new List<string>();
        Walk(json, type, "", found);
        return found;
    }

    private static void Walk(JsonNode? node, Type type, string path, List<string> found)
    {
        var model = ModelTypes.Reached(Nullable.GetUnderlyingType(type) ?? type);
        if (node is JsonObject obj)
        {
            var properties = PropertiesOf(model);
            if (properties is not null)
            {
                foreach (var (name, value) in obj)
                {
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    if (properties.TryGetValue(name, out var childType))
                    {
                        Walk(value, childType, childPath, found);
                    }
                    else
                    {
                        found.Add(childPath);
                    }
                }

                return;
            }

            var (element, isMap) = Container(model);
            if (element is not null && isMap)
            {
                foreach (var (name, value) in obj)
                {
                    Walk(value, element, $"{path}[{name}]", found);
                }
            }
        }
        else if (node is JsonArray array)
        {
            var (element, isMap) = Container(model);
            if (element is not null && !isMap)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], element, $"{path}[{i}]", found);
                }
            }
        }
    }
}
