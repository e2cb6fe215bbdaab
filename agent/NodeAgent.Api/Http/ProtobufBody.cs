using System.Text.Json.Nodes;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Http;

/// <summary>
/// Reads the Kubernetes protobuf encoding (<c>application/vnd.kubernetes.protobuf</c>) for the few kinds
/// kubectl's generator commands send that way (<c>kubectl create namespace|configmap|secret|serviceaccount</c>):
/// the <c>k8s\0</c> magic, a <c>runtime.Unknown</c> envelope (typeMeta, raw) and the object's message,
/// decoded with a field table per message into the same JSON the JSON path would have produced.
/// Other kinds answer 415 and the client must send JSON.
/// </summary>
internal static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    private enum Wire
    {
        String,
        Bytes,
        Int,
        Bool,
        Message,
        StringMap,
        BytesMap,
        RepeatedString,
        RepeatedMessage,
    }

    private sealed record Field(string Name, Wire Type, string? Message = null);

    /// <summary>Field numbers as in k8s.io/api and k8s.io/apimachinery's generated.proto.</summary>
    private static readonly Dictionary<string, Dictionary<int, Field>> Messages = new(StringComparer.Ordinal)
    {
        ["ObjectMeta"] = new()
        {
            [1] = new("name", Wire.String),
            [2] = new("generateName", Wire.String),
            [3] = new("namespace", Wire.String),
            [5] = new("uid", Wire.String),
            [6] = new("resourceVersion", Wire.String),
            [11] = new("labels", Wire.StringMap),
            [12] = new("annotations", Wire.StringMap),
            [13] = new("ownerReferences", Wire.RepeatedMessage, "OwnerReference"),
            [14] = new("finalizers", Wire.RepeatedString),
        },
        ["OwnerReference"] = new()
        {
            [1] = new("kind", Wire.String),
            [3] = new("name", Wire.String),
            [4] = new("uid", Wire.String),
            [5] = new("apiVersion", Wire.String),
            [6] = new("controller", Wire.Bool),
            [7] = new("blockOwnerDeletion", Wire.Bool),
        },
        ["LocalObjectReference"] = new() { [1] = new("name", Wire.String) },
        ["ObjectReference"] = new()
        {
            [1] = new("kind", Wire.String),
            [2] = new("namespace", Wire.String),
            [3] = new("name", Wire.String),
        },
        ["Namespace"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"),
            [2] = new("spec", Wire.Message, "NamespaceSpec"),
        },
        ["NamespaceSpec"] = new() { [1] = new("finalizers", Wire.RepeatedString) },
        ["ConfigMap"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"),
            [2] = new("data", Wire.StringMap),
            [3] = new("binaryData", Wire.BytesMap),
            [4] = new("immutable", Wire.Bool),
        },
        ["Secret"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"),
            [2] = new("data", Wire.BytesMap),
            [3] = new("type", Wire.String),
            [4] = new("stringData", Wire.StringMap),
            [5] = new("immutable", Wire.Bool),
        },
        ["ServiceAccount"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"),
            [2] = new("secrets", Wire.RepeatedMessage, "ObjectReference"),
            [3] = new("imagePullSecrets", Wire.RepeatedMessage, "LocalObjectReference"),
            [4] = new("automountServiceAccountToken", Wire.Bool),
        },
    };

    public static bool IsProtobuf(string contentType) =>
        contentType.StartsWith(MediaType, StringComparison.OrdinalIgnoreCase);

    public static JsonObject Decode(ReadOnlySpan<byte> body, ResourceDefinition resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource.Group.Length != 0 || !Messages.ContainsKey(resource.Kind))
        {
            throw new ApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf is accepted for Namespace, ConfigMap, Secret and ServiceAccount only, got {MediaType} for {resource.Kind})");
        }

        if (!body.StartsWith(Magic))
        {
            throw ApiException.BadRequest("protobuf body does not start with the k8s magic prefix");
        }

        try
        {
            var reader = new Reader(body[Magic.Length..].ToArray());
            string? apiVersion = null, kind = null;
            byte[]? raw = null;
            while (reader.More)
            {
                var (number, wireType) = reader.Tag();
                switch (number)
                {
                    case 1:
                        var typeMeta = new Reader(reader.LengthDelimited());
                        while (typeMeta.More)
                        {
                            var (n, w) = typeMeta.Tag();
                            if (n == 1) { apiVersion = typeMeta.String(); }
                            else if (n == 2) { kind = typeMeta.String(); }
                            else { typeMeta.Skip(w); }
                        }

                        break;
                    case 2:
                        raw = reader.LengthDelimited();
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }

            var obj = DecodeMessage(new Reader(raw ?? []), resource.Kind);
            obj["apiVersion"] = string.IsNullOrEmpty(apiVersion) ? resource.ApiVersion : apiVersion;
            obj["kind"] = string.IsNullOrEmpty(kind) ? resource.Kind : kind;
            return obj;
        }
        catch (IndexOutOfRangeException)
        {
            throw ApiException.BadRequest("protobuf body is truncated");
        }
        catch (ArgumentOutOfRangeException)
        {
            throw ApiException.BadRequest("protobuf body is truncated");
        }
    }

    private static JsonObject DecodeMessage(Reader reader, string message)
    {
        var fields = Messages[message];
        var obj = new JsonObject();
        while (reader.More)
        {
            var (number, wireType) = reader.Tag();
            if (!fields.TryGetValue(number, out var field))
            {
                reader.Skip(wireType);
                continue;
            }

            switch (field.Type)
            {
                case Wire.String:
                    SetIfNotEmpty(obj, field.Name, reader.String());
                    break;
                case Wire.Int:
                    obj[field.Name] = (long)reader.Varint();
                    break;
                case Wire.Bool:
                    obj[field.Name] = reader.Varint() != 0;
                    break;
                case Wire.Message:
                    obj[field.Name] = DecodeMessage(new Reader(reader.LengthDelimited()), field.Message!);
                    break;
                case Wire.RepeatedString:
                    Array(obj, field.Name).Add(reader.String());
                    break;
                case Wire.RepeatedMessage:
                    Array(obj, field.Name).Add(DecodeMessage(new Reader(reader.LengthDelimited()), field.Message!));
                    break;
                case Wire.StringMap:
                case Wire.BytesMap:
                    var entry = new Reader(reader.LengthDelimited());
                    string key = "", value = "";
                    while (entry.More)
                    {
                        var (n, w) = entry.Tag();
                        if (n == 1) { key = entry.String(); }
                        else if (n == 2) { value = field.Type == Wire.BytesMap ? Convert.ToBase64String(entry.LengthDelimited()) : entry.String(); }
                        else { entry.Skip(w); }
                    }

                    if (obj[field.Name] is not JsonObject map)
                    {
                        map = [];
                        obj[field.Name] = map;
                    }

                    map[key] = value;
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return obj;
    }

    private static void SetIfNotEmpty(JsonObject obj, string name, string value)
    {
        if (value.Length > 0)
        {
            obj[name] = value;
        }
    }

    private static JsonArray Array(JsonObject obj, string name)
    {
        if (obj[name] is not JsonArray array)
        {
            array = [];
            obj[name] = array;
        }

        return array;
    }

    /// <summary>The protobuf wire format: varints, length-delimited fields, fixed 32/64-bit values.</summary>
    private sealed class Reader(byte[] data)
    {
        private int _position;

        public bool More => _position < data.Length;

        public (int Number, int WireType) Tag()
        {
            var tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = data[_position++];
                value |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw ApiException.BadRequest("protobuf varint is too long");
        }

        public byte[] LengthDelimited()
        {
            var length = checked((int)Varint());
            var bytes = data.AsSpan(_position, length).ToArray();
            _position += length;
            return bytes;
        }

        public string String() => System.Text.Encoding.UTF8.GetString(LengthDelimited());

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: Varint(); break;
                case 1: _position += 8; break;
                case 2: LengthDelimited(); break;
                case 5: _position += 4; break;
                default: throw ApiException.BadRequest($"unsupported protobuf wire type {wireType}");
            }
        }
    }
}
