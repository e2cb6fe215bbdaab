using System.Text.Json.Nodes;
using Google.Protobuf;
using NodeAgent.Api.Http.Protobuf;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Http;

/// <summary>
/// Reads the Kubernetes protobuf encoding (<c>application/vnd.kubernetes.protobuf</c>) that kubectl's typed
/// generator commands send (<c>kubectl create deployment|job|cronjob|service|secret|configmap|namespace|
/// serviceaccount</c>, <c>kubectl run</c>): the <c>k8s\0</c> magic, a <c>runtime.Unknown</c> envelope
/// (typeMeta, raw, contentEncoding, contentType) and the object's message, decoded with the field tables in
/// <see cref="ProtobufSchema"/> into the JSON the JSON path would have received.
/// Other kinds answer 415 and the client must send JSON.
/// </summary>
internal static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static bool IsProtobuf(string contentType) =>
        contentType.StartsWith(MediaType, StringComparison.OrdinalIgnoreCase);

    public static JsonObject Decode(ReadOnlySpan<byte> body, ResourceDefinition resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (!ProtobufSchema.Roots.TryGetValue((resource.Group, resource.Kind), out var message))
        {
            throw new ApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf is accepted for Namespace, ConfigMap, Secret, ServiceAccount, Service, Pod, Deployment, Job and CronJob only, got {MediaType} for {resource.Kind})");
        }

        if (!body.StartsWith(Magic))
        {
            throw ApiException.BadRequest("protobuf body does not start with the k8s magic prefix");
        }

        try
        {
            var envelope = ReadEnvelope(body[Magic.Length..].ToArray());
            if (envelope.ContentEncoding.Length != 0)
            {
                throw new ApiException(415, "UnsupportedMediaType", $"protobuf content encoding \"{envelope.ContentEncoding}\" is not supported");
            }

            var obj = MessageDecoder.Decode(envelope.Raw, message, "");
            obj["apiVersion"] = envelope.ApiVersion.Length == 0 ? resource.ApiVersion : envelope.ApiVersion;
            obj["kind"] = envelope.Kind.Length == 0 ? resource.Kind : envelope.Kind;
            return obj;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw ApiException.BadRequest($"protobuf body is malformed: {e.Message}");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw ApiException.BadRequest($"protobuf body holds invalid JSON in fieldsV1: {e.Message}");
        }
    }

    private sealed record Envelope(string ApiVersion, string Kind, byte[] Raw, string ContentEncoding);

    /// <summary>runtime.Unknown: typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4.</summary>
    private static Envelope ReadEnvelope(byte[] data)
    {
        string apiVersion = "", kind = "", contentEncoding = "";
        byte[] raw = [];
        var input = new CodedInputStream(data);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    var typeMeta = new CodedInputStream(input.ReadBytes().ToByteArray());
                    uint inner;
                    while ((inner = typeMeta.ReadTag()) != 0)
                    {
                        switch (WireFormat.GetTagFieldNumber(inner))
                        {
                            case 1: apiVersion = typeMeta.ReadString(); break;
                            case 2: kind = typeMeta.ReadString(); break;
                            default: typeMeta.SkipLastField(); break;
                        }
                    }

                    break;
                case 2:
                    raw = input.ReadBytes().ToByteArray();
                    break;
                case 3:
                    contentEncoding = input.ReadString();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new Envelope(apiVersion, kind, raw, contentEncoding);
    }
}
