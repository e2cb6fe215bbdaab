using System.Text.Json;
using System.Text.Json.Nodes;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network.Cni;

internal static class CniJson
{
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true };

    public static string RequiredString(JsonObject json, string property, string what)
    {
        if (json[property] is JsonValue value && value.TryGetValue(out string? text) && !string.IsNullOrEmpty(text))
        {
            return text;
        }

        throw new RuntimeException(RuntimeErrorKind.Invalid, $"{what}: missing string field \"{property}\"");
    }

    public static string? OptionalString(JsonObject json, string property)
        => json[property] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
