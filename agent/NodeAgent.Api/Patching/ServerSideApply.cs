using System.Text.Json.Nodes;

namespace NodeAgent.Api.Patching;

/// <summary>Server-side apply (<c>application/apply-patch+yaml</c>) with managedFields ownership.</summary>
public static class ServerSideApply
{
    public static ApplyResult Apply(JsonNode? live, JsonNode applied, ApplyOptions options, PatchSchema schema)
    {
        throw new NotSupportedException("server-side apply is not implemented yet");
    }

    public static JsonNode RecordUpdate(JsonNode? before, JsonNode after, string fieldManager, DateTimeOffset time, PatchSchema schema)
    {
        throw new NotSupportedException("managedFields for updates are not implemented yet");
    }
}
