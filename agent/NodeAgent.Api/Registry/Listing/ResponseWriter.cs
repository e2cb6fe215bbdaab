using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>One page of a list, ready to be written.</summary>
internal sealed record ListPage(IReadOnlyList<StoredItem> Items, ListMetadata Metadata);

/// <summary>Writes list and object responses in the negotiated <see cref="OutputFormat"/>, streaming JSON straight into the response pipe.</summary>
internal static class ResponseWriter
{
    // Flush to the client every so often so a big list never sits in memory twice.
    private const int FlushEveryBytes = 64 * 1024;

    public static async Task WriteListAsync(
        HttpContext context, ResourceDefinition resource, OutputFormat format, ListPage page, IncludeObject include, DateTimeOffset now, CancellationToken ct)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = format.ContentType;
        if (format.Yaml)
        {
            await WriteYamlListAsync(context, resource, page, ct).ConfigureAwait(false);
            return;
        }

        var pipe = context.Response.BodyWriter;
        await using var writer = new Utf8JsonWriter(pipe, new JsonWriterOptions { SkipValidation = true });
        switch (format.Shape)
        {
            case OutputShape.Table:
                TableJson.WriteTable(writer, resource, format, page.Items, page.Metadata, include, now);
                break;
            case OutputShape.PartialObjectMetadataList:
                writer.WriteStartObject();
                writer.WriteString("kind"u8, "PartialObjectMetadataList");
                writer.WriteString("apiVersion"u8, format.MetaApiVersion);
                page.Metadata.Write(writer);
                writer.WriteStartArray("items"u8);
                foreach (var item in page.Items)
                {
                    TableJson.WritePartialObjectMetadata(writer, format, item);
                    await FlushIfLargeAsync(writer, pipe, ct).ConfigureAwait(false);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            default:
                writer.WriteStartObject();
                writer.WriteString("kind"u8, resource.ListKind);
                writer.WriteString("apiVersion"u8, resource.ApiVersion);
                page.Metadata.Write(writer);
                writer.WriteStartArray("items"u8);
                foreach (var item in page.Items)
                {
                    writer.WriteRawValue(item.ItemJson.Span, skipInputValidation: true);
                    await FlushIfLargeAsync(writer, pipe, ct).ConfigureAwait(false);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
        }

        await writer.FlushAsync(ct).ConfigureAwait(false);
        await pipe.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>One object (a GET, or the result of a write): JSON as is, YAML, a one-row Table or PartialObjectMetadata.</summary>
    public static async Task WriteObjectAsync(
        HttpContext context, ResourceDefinition resource, OutputFormat format, JsonObject obj, int statusCode, IncludeObject include, DateTimeOffset now, CancellationToken ct)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = format.ContentType;
        var kind = obj["kind"]?.GetValue<string>();
        var isResourceKind = string.Equals(kind, resource.Kind, StringComparison.Ordinal);
        if (format.Yaml)
        {
            await context.Response.WriteAsync(YamlFromJson.Write(obj), ct).ConfigureAwait(false);
            return;
        }

        var pipe = context.Response.BodyWriter;
        await using (var writer = new Utf8JsonWriter(pipe, new JsonWriterOptions { SkipValidation = true }))
        {
            // A Status, or another kind (a Scale, a Binding), is never transformed, as upstream does.
            if (format.Shape == OutputShape.Object || !isResourceKind)
            {
                obj.WriteTo(writer);
            }
            else
            {
                var item = StoredItem.FromObject(StoredObjects.Utf8(obj));
                if (format.Shape == OutputShape.Table)
                {
                    var resourceVersion = obj["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
                    TableJson.WriteTable(writer, resource, format, [item], new ListMetadata(resourceVersion), include, now);
                }
                else
                {
                    TableJson.WritePartialObjectMetadata(writer, format, item);
                }
            }
        }

        await pipe.FlushAsync(ct).ConfigureAwait(false);
    }

    public static async Task WriteStatusAsync(HttpContext context, V1Status status)
    {
        context.Response.StatusCode = status.Code ?? 500;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(StatusJson.Serialize(status), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteYamlListAsync(HttpContext context, ResourceDefinition resource, ListPage page, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind"u8, resource.ListKind);
            writer.WriteString("apiVersion"u8, resource.ApiVersion);
            page.Metadata.Write(writer);
            writer.WriteStartArray("items"u8);
            foreach (var item in page.Items)
            {
                writer.WriteRawValue(item.ItemJson.Span, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await context.Response.WriteAsync(YamlFromJson.Write(JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))), ct).ConfigureAwait(false);
    }

    private static async ValueTask FlushIfLargeAsync(Utf8JsonWriter writer, PipeWriter pipe, CancellationToken ct)
    {
        if (writer.BytesPending >= FlushEveryBytes)
        {
            writer.Flush();
            await pipe.FlushAsync(ct).ConfigureAwait(false);
        }
    }
}
