using System.Text.Json;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>The list metadata of a response: the store revision, and for a partial list the continue token and what is left.</summary>
internal sealed record ListMetadata(string ResourceVersion, string? Continue = null, long? RemainingItemCount = null)
{
    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("metadata"u8);
        writer.WriteString("resourceVersion"u8, ResourceVersion);
        if (Continue is not null)
        {
            writer.WriteString("continue"u8, Continue);
        }

        if (RemainingItemCount is { } remaining)
        {
            writer.WriteNumber("remainingItemCount"u8, remaining);
        }

        writer.WriteEndObject();
    }
}

/// <summary>
/// Writes <c>meta.k8s.io Table</c>s (what <c>kubectl get</c> prints) and PartialObjectMetadata, from the kind's
/// <see cref="IResourceStrategy.Columns"/> and <see cref="IResourceStrategy.Cells"/>.
/// </summary>
internal static class TableJson
{
    public static void WriteTable(
        Utf8JsonWriter writer,
        ResourceDefinition resource,
        OutputFormat format,
        IEnumerable<StoredItem> items,
        ListMetadata metadata,
        IncludeObject include,
        DateTimeOffset now,
        bool withColumns = true)
    {
        writer.WriteStartObject();
        writer.WriteString("kind"u8, "Table");
        writer.WriteString("apiVersion"u8, format.MetaApiVersion);
        metadata.Write(writer);
        if (withColumns)
        {
            WriteColumns(writer, resource.Strategy.Columns);
        }
        else
        {
            // A watch sends the columns with its first event only, as upstream does; kubectl keeps the last ones.
            writer.WriteNull("columnDefinitions"u8);
        }

        writer.WriteStartArray("rows"u8);
        foreach (var item in items)
        {
            WriteRow(writer, resource, format, item, include, now);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>An empty Table carrying only a resourceVersion (a BOOKMARK in a Table watch).</summary>
    public static void WriteEmptyTable(Utf8JsonWriter writer, OutputFormat format, string resourceVersion)
    {
        writer.WriteStartObject();
        writer.WriteString("kind"u8, "Table");
        writer.WriteString("apiVersion"u8, format.MetaApiVersion);
        new ListMetadata(resourceVersion).Write(writer);
        writer.WriteNull("columnDefinitions"u8);
        writer.WriteNull("rows"u8);
        writer.WriteEndObject();
    }

    public static void WritePartialObjectMetadata(Utf8JsonWriter writer, OutputFormat format, StoredItem item)
    {
        writer.WriteStartObject();
        writer.WriteString("kind"u8, "PartialObjectMetadata");
        writer.WriteString("apiVersion"u8, format.MetaApiVersion);
        writer.WritePropertyName("metadata"u8);
        writer.WriteRawValue(item.MetadataJson.Span, skipInputValidation: true);
        writer.WriteEndObject();
    }

    private static void WriteColumns(Utf8JsonWriter writer, IReadOnlyList<TableColumn> columns)
    {
        writer.WriteStartArray("columnDefinitions"u8);
        foreach (var column in columns)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, column.Name);
            writer.WriteString("type"u8, column.Type);
            writer.WriteString("format"u8, column.Format);
            writer.WriteString("description"u8, column.Description);
            writer.WriteNumber("priority"u8, column.Priority);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteRow(Utf8JsonWriter writer, ResourceDefinition resource, OutputFormat format, StoredItem item, IncludeObject include, DateTimeOffset now)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("cells"u8);
        foreach (var cell in resource.Strategy.Cells(item.Model(resource.ModelType), now))
        {
            if (cell is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                JsonSerializer.Serialize(writer, cell, KubernetesJsonOptions.Options.GetTypeInfo(cell.GetType()));
            }
        }

        writer.WriteEndArray();
        switch (include)
        {
            case IncludeObject.Object:
                writer.WritePropertyName("object"u8);
                writer.WriteRawValue(item.ObjectJson.Span, skipInputValidation: true);
                break;
            case IncludeObject.Metadata:
                writer.WritePropertyName("object"u8);
                WritePartialObjectMetadata(writer, format, item);
                break;
            default:
                break;
        }

        writer.WriteEndObject();
    }
}
