using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Hosting;

/// <summary>Writes a <c>meta/v1 Status</c> failure, the body of every error the API returns.</summary>
public static class StatusResponses
{
    public static V1Status Failure(int code, string reason, string message, V1StatusDetails? details = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Status = "Failure",
        Code = code,
        Reason = reason,
        Message = message,
        Details = details,
        Metadata = new V1ListMeta(),
    };

    public static Task WriteAsync(HttpContext context, int code, string reason, string message, V1StatusDetails? details = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        // The client's V1Status converter cannot write; wt-apicore replaces this with its full Status writer.
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["details"] = details is null ? null : System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(details)),
            ["code"] = code,
        };
        if (details is null)
        {
            body.Remove("details");
        }

        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
