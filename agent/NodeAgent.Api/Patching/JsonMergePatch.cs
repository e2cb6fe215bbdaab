using System.Text.Json.Nodes;

namespace NodeAgent.Api.Patching;

/// <summary>RFC 7386 JSON merge patch (<c>application/merge-patch+json</c>): objects merge, null deletes, everything else replaces.</summary>
public static class JsonMergePatch
{
    public static JsonNode Apply(JsonNode document, JsonNode patch)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(patch);
        if (patch is not JsonObject)
        {
            // A non-object patch replaces the whole document; the API server then rejects it as an object.
            return patch.DeepClone();
        }

        return Merge(document, patch)!;
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject o ? (JsonObject)o.DeepClone() : [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result.TryGetPropertyValue(key, out var existing);
                result[key] = Merge(existing, value);
            }
        }

        return result;
    }
}
