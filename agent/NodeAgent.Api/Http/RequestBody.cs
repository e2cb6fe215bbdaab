using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NodeAgent.Api.Http;

/// <summary>Reads a request body within the size limit and parses JSON (or YAML) into a tree, with positions in errors.</summary>
internal static class RequestBody
{
    public static async Task<byte[]> ReadAsync(HttpContext context, long limit, CancellationToken ct)
    {
        if (context.Request.ContentLength > limit)
        {
            throw ApiException.TooLarge(limit);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > limit)
                {
                    throw ApiException.TooLarge(limit);
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw ApiException.TooLarge(limit);
        }

        return buffer.ToArray();
    }

    /// <summary>Parses JSON; for YAML content types (or a body that is not JSON but YAML) converts YAML to JSON.</summary>
    public static JsonNode Parse(byte[] body, bool allowYaml, List<string>? duplicates = null)
    {
        if (body.Length == 0 || body.All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            throw ApiException.BadRequest("the request body is empty");
        }

        var first = body.First(b => b is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'));
        if (!allowYaml || first is (byte)'{' or (byte)'[')
        {
            return ParseJson(body, duplicates);
        }

        return ParseYaml(Encoding.UTF8.GetString(body));
    }

    /// <summary>Parses JSON like Go's decoder does: a repeated key keeps its last value and is reported in <paramref name="duplicates"/>.</summary>
    public static JsonNode ParseJson(ReadOnlySpan<byte> body, List<string>? duplicates = null)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read())
            {
                throw ApiException.BadRequest("the request body is empty");
            }

            var root = ReadValue(ref reader, "", duplicates) ?? throw ApiException.BadRequest("the request body is null");
            if (reader.Read())
            {
                throw ApiException.BadRequest("json parse error: unexpected data after the top-level value");
            }

            return root;
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture,
                $"json parse error at line {line}, column {column}: {FirstSentence(e.Message)}"));
        }
    }

    private static JsonNode? ReadValue(ref Utf8JsonReader reader, string path, List<string>? duplicates)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString() ?? "";
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    reader.Read();
                    var value = ReadValue(ref reader, childPath, duplicates);
                    if (obj.ContainsKey(name))
                    {
                        duplicates?.Add(childPath);
                        obj.Remove(name);
                    }

                    obj[name] = value;
                }

                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Add(ReadValue(ref reader, string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]"), duplicates));
                    index++;
                }

                return array;
            case JsonTokenType.String:
                return JsonValue.Create(reader.GetString());
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var l) ? JsonValue.Create(l) : JsonValue.Create(reader.GetDouble());
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            default:
                return null;
        }
    }

    public static JsonNode ParseYaml(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1)
            {
                throw ApiException.BadRequest("the request body must hold exactly one YAML document");
            }

            return ToJson(stream.Documents[0].RootNode) ?? throw ApiException.BadRequest("the request body is null");
        }
        catch (YamlException e)
        {
            throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture,
                $"error converting YAML to JSON: yaml: line {e.Start.Line}, column {e.Start.Column}: {e.Message}"));
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    if (obj.ContainsKey(name))
                    {
                        throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture,
                            $"error converting YAML to JSON: yaml: line {key.Start.Line}, column {key.Start.Column}: duplicate key \"{name}\""));
                    }

                    obj[name] = ToJson(value);
                }

                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq.Children)
                {
                    array.Add(ToJson(item));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw ApiException.BadRequest("error converting YAML to JSON: unsupported YAML node (aliases are not allowed)");
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (value.Any(char.IsDigit) && !value.Contains(':', StringComparison.Ordinal)
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }
}
