using System.Globalization;
using System.Text.Json.Nodes;

namespace NodeAgent.Api.Registry;

/// <summary>Small accessors for <c>metadata</c> on JSON objects, so the handlers read like the fields they touch.</summary>
internal static class ObjectMeta
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = [];
            obj["metadata"] = meta;
        }

        return meta;
    }

    public static string? GetString(this JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string Name(this JsonObject obj) => obj.Metadata().GetString("name") ?? "";

    public static string? Namespace(this JsonObject obj) => obj.Metadata().GetString("namespace");

    public static string? ResourceVersion(this JsonObject obj) => obj.Metadata().GetString("resourceVersion");

    public static string? Uid(this JsonObject obj) => obj.Metadata().GetString("uid");

    public static bool IsDeleting(this JsonObject obj) => obj.Metadata()["deletionTimestamp"] is not null;

    public static IReadOnlyList<string> Finalizers(this JsonObject obj) =>
        obj.Metadata()["finalizers"] is JsonArray a ? a.Select(n => n?.ToString() ?? "").ToList() : [];

    public static long? GetLong(this JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<long>(out var l) ? l
        : obj[name] is JsonValue d && d.TryGetValue<double>(out var x) ? (long)x : null;

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The object without fields that change on every write, for "did anything change" checks.</summary>
    public static JsonObject WithoutResourceVersion(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        (copy["metadata"] as JsonObject)?.Remove("resourceVersion");
        return copy;
    }

    /// <summary>Everything but metadata and status: what <c>metadata.generation</c> counts changes of.</summary>
    public static JsonObject SpecPart(JsonObject obj)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key is not ("metadata" or "status" or "apiVersion" or "kind"))
            {
                copy[key] = value?.DeepClone();
            }
        }

        return copy;
    }
}
