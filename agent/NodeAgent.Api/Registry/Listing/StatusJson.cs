using System.Text.Json;
using k8s.Models;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>
/// Writes a <c>meta/v1 Status</c> in upstream's field order. KubernetesClient's own converter for V1Status can only
/// read (its Write throws NotImplementedException), so <c>KubernetesJson.Serialize(status)</c> cannot be used.
/// </summary>
public static class StatusJson
{
    public static void Write(Utf8JsonWriter writer, V1Status status)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(status);
        writer.WriteStartObject();
        writer.WriteString("kind"u8, "Status");
        writer.WriteString("apiVersion"u8, "v1");
        writer.WriteStartObject("metadata"u8);
        if (status.Metadata?.ContinueProperty is { } token)
        {
            writer.WriteString("continue"u8, token);
        }

        writer.WriteEndObject();
        WriteIfSet(writer, "status", status.Status);
        WriteIfSet(writer, "message", status.Message);
        WriteIfSet(writer, "reason", status.Reason);
        if (status.Details is { } details)
        {
            writer.WriteStartObject("details"u8);
            WriteIfSet(writer, "name", details.Name);
            WriteIfSet(writer, "group", details.Group);
            WriteIfSet(writer, "kind", details.Kind);
            WriteIfSet(writer, "uid", details.Uid);
            if (details.Causes is { Count: > 0 } causes)
            {
                writer.WriteStartArray("causes"u8);
                foreach (var cause in causes)
                {
                    writer.WriteStartObject();
                    WriteIfSet(writer, "reason", cause.Reason);
                    WriteIfSet(writer, "message", cause.Message);
                    WriteIfSet(writer, "field", cause.Field);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (details.RetryAfterSeconds is { } retry)
            {
                writer.WriteNumber("retryAfterSeconds"u8, retry);
            }

            writer.WriteEndObject();
        }

        if (status.Code is { } code)
        {
            writer.WriteNumber("code"u8, code);
        }

        writer.WriteEndObject();
    }

    public static byte[] Serialize(V1Status status)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, status);
        }

        return buffer.ToArray();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }
}
