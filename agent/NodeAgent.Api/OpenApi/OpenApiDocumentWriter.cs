using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// Serializes a whole document: Swagger 2.0 for <c>/openapi/v2</c> (every path and definition) or
/// OpenAPI 3.0 for one group-version (its paths, and the schemas they reach under <c>components</c>).
/// </summary>
internal static class OpenApiDocumentWriter
{
    /// <summary>The info.version upstream fills with the server's git version.</summary>
    public const string ServerVersion = "v1.32.0";

    private static readonly string[] MediaTypes = ["application/json", "application/yaml"];

    private static readonly string[] PatchMediaTypes =
    [
        "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml",
    ];

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = false };

    public static byte[] WriteV2(IReadOnlyList<ApiPath> paths, IEnumerable<DefinitionSchema> definitions)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(definitions);
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("definitions");
            foreach (var definition in definitions)
            {
                SchemaWriter.WriteDefinition(writer, definition, OpenApiFlavor.V2);
            }

            writer.WriteEndObject();
            WriteInfo(writer);
            writer.WriteStartObject("paths");
            foreach (var path in paths)
            {
                WritePathV2(writer, path);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("security");
            writer.WriteStartObject();
            writer.WriteStartArray("BearerToken");
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteStartObject("securityDefinitions");
            WriteBearerToken(writer, OpenApiFlavor.V2);
            writer.WriteEndObject();
            writer.WriteString("swagger", "2.0");
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <param name="view">
    /// <see cref="OpenApiView.Validating"/>: no description texts (but the responses' required one) and no schema
    /// references, so the document needs no <c>components/schemas</c>.
    /// </param>
    public static byte[] WriteV3(IReadOnlyList<ApiPath> paths, IEnumerable<DefinitionSchema> schemas, OpenApiView view = OpenApiView.Full)
    {
        var descriptions = view == OpenApiView.Full;
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(schemas);
        var buffer = new ArrayBufferWriter<byte>(128 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("openapi", "3.0.0");
            WriteInfo(writer);
            writer.WriteStartObject("paths");
            foreach (var path in paths)
            {
                WritePathV3(writer, path, descriptions);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("components");
            writer.WriteStartObject("schemas");
            foreach (var schema in schemas)
            {
                SchemaWriter.WriteDefinition(writer, schema, OpenApiFlavor.V3);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("securitySchemes");
            WriteBearerToken(writer, OpenApiFlavor.V3);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteInfo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("info");
        writer.WriteString("title", "Kubernetes");
        writer.WriteString("version", ServerVersion);
        writer.WriteEndObject();
    }

    private static void WriteBearerToken(Utf8JsonWriter writer, OpenApiFlavor flavor)
    {
        writer.WriteStartObject("BearerToken");
        writer.WriteString("description", "Bearer Token authentication");
        if (flavor == OpenApiFlavor.V2)
        {
            writer.WriteString("in", "header");
            writer.WriteString("name", "authorization");
            writer.WriteString("type", "apiKey");
        }
        else
        {
            writer.WriteString("scheme", "bearer");
            writer.WriteString("type", "http");
        }

        writer.WriteEndObject();
    }

    private static void WritePathV2(Utf8JsonWriter writer, ApiPath path)
    {
        writer.WriteStartObject(path.Path);
        foreach (var operation in path.Operations)
        {
            writer.WriteStartObject(operation.Method);
            writer.WriteStartArray("consumes");
            foreach (var type in operation.IsPatch ? PatchMediaTypes : ["*/*"])
            {
                writer.WriteStringValue(type);
            }

            writer.WriteEndArray();
            writer.WriteString("description", operation.Description);
            writer.WriteString("operationId", operation.OperationId);
            writer.WriteStartArray("parameters");
            if (operation.Body is not null)
            {
                writer.WriteStartObject();
                writer.WriteString("in", "body");
                writer.WriteString("name", "body");
                writer.WriteBoolean("required", operation.Method != "delete");
                writer.WriteStartObject("schema");
                writer.WriteString("$ref", SchemaWriter.RefPath(OpenApiFlavor.V2, operation.Body));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            foreach (var parameter in operation.Parameters)
            {
                WriteParameterV2(writer, parameter);
            }

            writer.WriteEndArray();
            WriteStrings(writer, "produces", MediaTypes);
            writer.WriteStartObject("responses");
            foreach (var code in operation.SuccessCodes)
            {
                writer.WriteStartObject(code.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("description", Reason(code));
                writer.WriteStartObject("schema");
                writer.WriteString("$ref", SchemaWriter.RefPath(OpenApiFlavor.V2, operation.Response));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteStartObject("401");
            writer.WriteString("description", "Unauthorized");
            writer.WriteEndObject();
            writer.WriteEndObject();
            WriteStrings(writer, "schemes", ["https"]);
            WriteStrings(writer, "tags", [Tag(operation)]);
            writer.WriteString("x-kubernetes-action", operation.Action);
            writer.WritePropertyName("x-kubernetes-group-version-kind");
            SchemaWriter.WriteGroupVersionKind(writer, operation.Kind);
            writer.WriteEndObject();
        }

        writer.WriteStartArray("parameters");
        foreach (var parameter in path.Parameters)
        {
            WriteParameterV2(writer, parameter);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteParameterV2(Utf8JsonWriter writer, ApiParameter parameter)
    {
        writer.WriteStartObject();
        writer.WriteString("description", parameter.Description);
        writer.WriteString("in", parameter.In);
        writer.WriteString("name", parameter.Name);
        if (parameter.Required)
        {
            writer.WriteBoolean("required", true);
        }

        writer.WriteString("type", parameter.Type);
        writer.WriteBoolean("uniqueItems", true);
        writer.WriteEndObject();
    }

    private static void WritePathV3(Utf8JsonWriter writer, ApiPath path, bool descriptions)
    {
        writer.WriteStartObject(path.Path);
        foreach (var operation in path.Operations)
        {
            writer.WriteStartObject(operation.Method);
            if (descriptions)
            {
                writer.WriteString("description", operation.Description);
            }

            writer.WriteString("operationId", operation.OperationId);
            writer.WriteStartArray("parameters");
            foreach (var parameter in operation.Parameters)
            {
                WriteParameterV3(writer, parameter, descriptions);
            }

            writer.WriteEndArray();
            if (operation.Body is not null)
            {
                writer.WriteStartObject("requestBody");
                WriteContent(writer, operation.IsPatch ? PatchMediaTypes : ["*/*"], descriptions ? operation.Body : null);
                writer.WriteBoolean("required", operation.Method != "delete");
                writer.WriteEndObject();
            }

            writer.WriteStartObject("responses");
            foreach (var code in operation.SuccessCodes)
            {
                writer.WriteStartObject(code.ToString(CultureInfo.InvariantCulture));
                if (descriptions)
                {
                    WriteContent(writer, MediaTypes, operation.Response);
                }

                writer.WriteString("description", Reason(code));
                writer.WriteEndObject();
            }

            writer.WriteStartObject("401");
            writer.WriteString("description", "Unauthorized");
            writer.WriteEndObject();
            writer.WriteEndObject();
            WriteStrings(writer, "tags", [Tag(operation)]);
            writer.WriteString("x-kubernetes-action", operation.Action);
            writer.WritePropertyName("x-kubernetes-group-version-kind");
            SchemaWriter.WriteGroupVersionKind(writer, operation.Kind);
            writer.WriteEndObject();
        }

        writer.WriteStartArray("parameters");
        foreach (var parameter in path.Parameters)
        {
            WriteParameterV3(writer, parameter, descriptions);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteParameterV3(Utf8JsonWriter writer, ApiParameter parameter, bool descriptions)
    {
        writer.WriteStartObject();
        if (descriptions)
        {
            writer.WriteString("description", parameter.Description);
        }

        writer.WriteString("in", parameter.In);
        writer.WriteString("name", parameter.Name);
        if (parameter.Required)
        {
            writer.WriteBoolean("required", true);
        }

        writer.WriteStartObject("schema");
        writer.WriteString("type", parameter.Type);
        writer.WriteBoolean("uniqueItems", true);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The media types, each with the definition's schema (or none: a media type object's schema is optional).</summary>
    private static void WriteContent(Utf8JsonWriter writer, IEnumerable<string> mediaTypes, string? definition)
    {
        writer.WriteStartObject("content");
        foreach (var mediaType in mediaTypes)
        {
            writer.WriteStartObject(mediaType);
            if (definition is not null)
            {
                writer.WriteStartObject("schema");
                writer.WriteString("$ref", SchemaWriter.RefPath(OpenApiFlavor.V3, definition));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static string Tag(ApiOperation operation) =>
        (operation.Kind.Group.Length == 0 ? "core" : operation.Kind.Group.Split('.')[0]) + "_" + operation.Kind.Version;

    private static string Reason(int code) => code switch
    {
        201 => "Created",
        202 => "Accepted",
        _ => "OK",
    };
}
