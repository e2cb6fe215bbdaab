using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>
/// Rewrites a stored object's JSON for the wire without building a DOM: copies the top-level members verbatim,
/// drops apiVersion/kind for list items (upstream's typed lists carry them only on the list), and writes
/// <c>metadata.resourceVersion</c> (the store's revision). Cheap enough to do per event and per item.
/// </summary>
internal static class StoredJson
{
    /// <summary>The rewritten object and where its metadata object sits in it.</summary>
    public static (byte[] Json, Range Metadata) Rewrite(ReadOnlySpan<byte> stored, long revision, bool keepTypeMeta)
    {
        var buffer = new ArrayBufferWriter<byte>(stored.Length + 48);
        var metadataStart = 0;
        var metadataEnd = 0;
        var reader = new Utf8JsonReader(stored);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("a stored object is not a JSON object");
            }

            writer.WriteStartObject();
            var sawMetadata = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMetadata = reader.ValueTextEquals("metadata"u8);
                var skip = !keepTypeMeta && (reader.ValueTextEquals("apiVersion"u8) || reader.ValueTextEquals("kind"u8));
                var name = reader.GetString()!;
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                var value = stored[valueStart..(int)reader.BytesConsumed];
                if (skip)
                {
                    continue;
                }

                writer.WritePropertyName(name);
                if (isMetadata && value.Length > 0 && value[0] == (byte)'{')
                {
                    sawMetadata = true;
                    writer.Flush();
                    metadataStart = buffer.WrittenCount;
                    WriteMetadata(writer, value, revision);
                    writer.Flush();
                    metadataEnd = buffer.WrittenCount;
                }
                else
                {
                    writer.WriteRawValue(value, skipInputValidation: true);
                }
            }

            if (!sawMetadata)
            {
                writer.WritePropertyName("metadata"u8);
                writer.Flush();
                metadataStart = buffer.WrittenCount;
                WriteMetadata(writer, "{}"u8, revision);
                writer.Flush();
                metadataEnd = buffer.WrittenCount;
            }

            writer.WriteEndObject();
        }

        return (buffer.WrittenSpan.ToArray(), metadataStart..metadataEnd);
    }

    /// <summary>Where the top-level metadata object of <paramref name="json"/> is (an empty range when there is none).</summary>
    public static Range FindMetadata(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (isMetadata && reader.TokenType == JsonTokenType.EndObject)
            {
                return start..(int)reader.BytesConsumed;
            }
        }

        return 0..0;
    }

    private static void WriteMetadata(Utf8JsonWriter writer, ReadOnlySpan<byte> metadata, long revision)
    {
        var reader = new Utf8JsonReader(metadata);
        reader.Read();
        writer.WriteStartObject();
        var revisionWritten = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRevision = reader.ValueTextEquals("resourceVersion"u8);
            var name = reader.GetString()!;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (isRevision)
            {
                continue;
            }

            writer.WritePropertyName(name);
            writer.WriteRawValue(metadata[start..(int)reader.BytesConsumed], skipInputValidation: true);

            // Where upstream prints it: after uid (or after namespace/name when there is no uid yet).
            if (name == "uid")
            {
                WriteRevision(writer, revision);
                revisionWritten = true;
            }
        }

        if (!revisionWritten)
        {
            WriteRevision(writer, revision);
        }

        writer.WriteEndObject();
    }

    private static void WriteRevision(Utf8JsonWriter writer, long revision)
        => writer.WriteString("resourceVersion"u8, revision.ToString(CultureInfo.InvariantCulture));
}
