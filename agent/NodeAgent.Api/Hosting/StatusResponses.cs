using System.Text.Json.Nodes;
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

    /// <summary>
    /// The Status as JSON in upstream's field order. Built by hand because the client's V1Status
    /// converter only reads (its Write throws).
    /// </summary>
    public static JsonObject ToJson(V1Status status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var json = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = status.Status,
        };
        if (status.Message is not null)
        {
            json["message"] = status.Message;
        }

        if (status.Reason is not null)
        {
            json["reason"] = status.Reason;
        }

        if (status.Details is not null)
        {
            json["details"] = JsonNode.Parse(KubernetesJson.Serialize(status.Details));
        }

        if (status.Code is not null)
        {
            json["code"] = status.Code;
        }

        return json;
    }

    public static Task WriteAsync(HttpContext context, int code, string reason, string message, V1StatusDetails? details = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(ToJson(Failure(code, reason, message, details)).ToJsonString(ApiJson.Options), context.RequestAborted);
    }
}
