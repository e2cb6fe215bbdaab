using System.Text.Json.Nodes;
using NodeAgent.Api.Patching.Strategic;

namespace NodeAgent.Api.Patching;

/// <summary>
/// Kubernetes strategic merge patch (<c>application/strategic-merge-patch+json</c>), as the API server applies it
/// (MergeParallelList, IgnoreUnmatchedNulls). The inputs are never modified.
/// </summary>
public static class StrategicMergePatch
{
    public static JsonNode Apply(JsonNode original, JsonNode patch, PatchSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (original is not JsonObject originalObject)
        {
            throw PatchException.Invalid("the object to patch must be a JSON object", "");
        }

        if (patch is not JsonObject patchObject)
        {
            throw PatchException.Invalid("a strategic merge patch must be a JSON object", "");
        }

        return MapMerger.Merge((JsonObject)originalObject.DeepClone(), (JsonObject)patchObject.DeepClone(), schema.Root, "");
    }
}
