using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace NodeAgent.Api.Http.Protobuf;

/// <summary>
/// Decodes one protobuf message into the JSON object the client would have sent, driven by
/// <see cref="ProtobufSchema"/>. A field number the table does not know answers 415 rather than being
/// dropped, so nothing a user set disappears silently.
/// </summary>
internal static class MessageDecoder
{
    /// <summary>time.Time{} (Go's zero time) as Unix seconds: what a never-set metav1.Time marshals to.</summary>
    private const long GoZeroTimeSeconds = -62135596800;

    public static JsonObject Decode(byte[] data, string message, string path)
    {
        var fields = ProtobufSchema.Messages[message];
        var obj = new JsonObject();
        var input = new CodedInputStream(data);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            if (!fields.TryGetValue(number, out var field))
            {
                throw new ApiException(415, "UnsupportedMediaType",
                    $"protobuf field {number} of message {message} (at {DisplayPath(path)}) is not supported by this server; send the object as application/json");
            }

            ReadField(input, WireFormat.GetTagWireType(tag), field, obj, message, number, path);
        }

        return obj;
    }

    private static void ReadField(CodedInputStream input, WireFormat.WireType wire, ProtoField field, JsonObject obj, string message, int number, string path)
    {
        var childPath = path.Length == 0 ? field.Json : $"{path}.{field.Json}";
        switch (field.Kind)
        {
            case ProtoKind.Ignored:
                input.SkipLastField();
                return;
            case ProtoKind.Int32 or ProtoKind.Int64 or ProtoKind.Bool when field.Repeated && wire == WireFormat.WireType.LengthDelimited:
                // Packed encoding: several varints in one length-delimited field.
                var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                while (!packed.IsAtEnd)
                {
                    Array(obj, field.Json).Add((JsonNode)ReadScalar(packed, field.Kind));
                }

                return;
            case ProtoKind.Int32 or ProtoKind.Int64 or ProtoKind.Bool:
                Expect(wire, WireFormat.WireType.Varint, message, number);
                Set(obj, field, ReadScalar(input, field.Kind));
                return;
        }

        Expect(wire, WireFormat.WireType.LengthDelimited, message, number);
        switch (field.Kind)
        {
            case ProtoKind.String:
                Set(obj, field, JsonValue.Create(input.ReadString()));
                break;
            case ProtoKind.Bytes:
                Set(obj, field, JsonValue.Create(input.ReadBytes().ToBase64()));
                break;
            case ProtoKind.Message:
                var index = field.Repeated ? (obj[field.Json] as JsonArray)?.Count ?? 0 : -1;
                var child = Decode(input.ReadBytes().ToByteArray(), field.Message!, index < 0 ? childPath : $"{childPath}[{index}]");
                Set(obj, field, child);
                break;
            case ProtoKind.Inline:
                // Go embeds the struct, so its JSON fields belong to the enclosing object.
                var inlined = Decode(input.ReadBytes().ToByteArray(), field.Message!, path);
                foreach (var name in inlined.Select(p => p.Key).ToList())
                {
                    var value = inlined[name];
                    inlined.Remove(name);
                    obj[name] = value;
                }

                break;
            case ProtoKind.Quantity:
                Set(obj, field, JsonValue.Create(ReadQuantity(input.ReadBytes().ToByteArray())));
                break;
            case ProtoKind.IntOrString:
                Set(obj, field, ReadIntOrString(input.ReadBytes().ToByteArray()));
                break;
            case ProtoKind.Time:
                var time = ReadTime(input.ReadBytes().ToByteArray());
                if (time is not null)
                {
                    obj[field.Json] = time;
                }

                break;
            case ProtoKind.FieldsV1:
                obj[field.Json] = ReadFieldsV1(input.ReadBytes().ToByteArray());
                break;
            case ProtoKind.StringMap or ProtoKind.BytesMap or ProtoKind.QuantityMap:
                var (key, entryValue) = ReadMapEntry(input.ReadBytes().ToByteArray(), field.Kind);
                if (obj[field.Json] is not JsonObject map)
                {
                    map = [];
                    obj[field.Json] = map;
                }

                map[key] = entryValue;
                break;
            default:
                throw new InvalidOperationException($"unhandled protobuf field kind {field.Kind}");
        }
    }

    private static JsonValue ReadScalar(CodedInputStream input, ProtoKind kind) => kind switch
    {
        ProtoKind.Int32 => JsonValue.Create(input.ReadInt32()),
        ProtoKind.Int64 => JsonValue.Create(input.ReadInt64()),
        _ => JsonValue.Create(input.ReadBool()),
    };

    /// <summary>Adds to a repeated field; sets a plain field unless it holds Go's zero value (omitempty).</summary>
    private static void Set(JsonObject obj, ProtoField field, JsonNode value)
    {
        if (field.Repeated)
        {
            Array(obj, field.Json).Add(value);
            return;
        }

        if (!field.Pointer && IsZero(value))
        {
            return;
        }

        obj[field.Json] = value;
    }

    private static bool IsZero(JsonNode value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
        JsonValue v when v.TryGetValue<int>(out var i) => i == 0,
        JsonValue v when v.TryGetValue<long>(out var l) => l == 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => !b,
        _ => false,
    };

    private static JsonArray Array(JsonObject obj, string name)
    {
        if (obj[name] is not JsonArray array)
        {
            array = [];
            obj[name] = array;
        }

        return array;
    }

    private static string ReadQuantity(byte[] data)
    {
        var input = new CodedInputStream(data);
        var value = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                value = input.ReadString();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return value;
    }

    private static JsonValue ReadIntOrString(byte[] data)
    {
        var input = new CodedInputStream(data);
        long type = 0;
        var intVal = 0;
        var strVal = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: type = input.ReadInt64(); break;
                case 2: intVal = input.ReadInt32(); break;
                case 3: strVal = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }

        return type == 1 ? JsonValue.Create(strVal) : JsonValue.Create(intVal);
    }

    /// <summary>metav1.Time as JSON writes it: RFC 3339 in UTC, whole seconds; the zero time is null (omitted).</summary>
    private static JsonValue? ReadTime(byte[] data)
    {
        var input = new CodedInputStream(data);
        long seconds = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                seconds = input.ReadInt64();
            }
            else
            {
                input.SkipLastField();
            }
        }

        if (seconds == GoZeroTimeSeconds)
        {
            return null;
        }

        var time = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return JsonValue.Create(time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    private static JsonNode? ReadFieldsV1(byte[] data)
    {
        var input = new CodedInputStream(data);
        JsonNode? raw = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                raw = JsonNode.Parse(input.ReadBytes().Span);
            }
            else
            {
                input.SkipLastField();
            }
        }

        return raw;
    }

    private static (string Key, JsonNode Value) ReadMapEntry(byte[] data, ProtoKind kind)
    {
        var input = new CodedInputStream(data);
        var key = "";
        JsonNode value = JsonValue.Create("");
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    key = input.ReadString();
                    break;
                case 2:
                    value = kind switch
                    {
                        ProtoKind.BytesMap => JsonValue.Create(input.ReadBytes().ToBase64()),
                        ProtoKind.QuantityMap => JsonValue.Create(ReadQuantity(input.ReadBytes().ToByteArray())),
                        _ => JsonValue.Create(input.ReadString()),
                    };
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (key, value);
    }

    private static void Expect(WireFormat.WireType actual, WireFormat.WireType expected, string message, int number)
    {
        if (actual != expected)
        {
            throw ApiException.BadRequest($"protobuf field {number} of message {message} has wire type {actual}, expected {expected}");
        }
    }

    private static string DisplayPath(string path) => path.Length == 0 ? "the top level" : path;
}
