using Google.Protobuf;

namespace NodeAgent.Api.Tests.Http;

/// <summary>Builds protobuf bytes field by field with Google.Protobuf's CodedOutputStream, for decoder tests.</summary>
internal static class ProtobufWire
{
    public static byte[] Message(params Action<CodedOutputStream>[] fields)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var field in fields)
        {
            field(output);
        }

        output.Flush();
        return buffer.ToArray();
    }

    public static Action<CodedOutputStream> Str(int number, string value) => o =>
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    };

    public static Action<CodedOutputStream> Bytes(int number, byte[] value) => o =>
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(value));
    };

    public static Action<CodedOutputStream> Sub(int number, params Action<CodedOutputStream>[] fields) => Bytes(number, Message(fields));

    public static Action<CodedOutputStream> Int(int number, long value) => o =>
    {
        o.WriteTag(number, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    };

    public static Action<CodedOutputStream> Flag(int number, bool value) => o =>
    {
        o.WriteTag(number, WireFormat.WireType.Varint);
        o.WriteBool(value);
    };

    public static Action<CodedOutputStream> Entry(int number, string key, string value) => Sub(number, Str(1, key), Str(2, value));

    /// <summary>A Quantity-valued map entry: the value is a message holding the string.</summary>
    public static Action<CodedOutputStream> QuantityEntry(int number, string key, string value) => Sub(number, Str(1, key), Sub(2, Str(1, value)));

    public static Action<CodedOutputStream> IntOrString(int number, int value) => Sub(number, Int(1, 0), Int(2, value), Str(3, ""));

    public static Action<CodedOutputStream> IntOrString(int number, string value) => Sub(number, Int(1, 1), Int(2, 0), Str(3, value));

    /// <summary>Go's zero time.Time, which the marshaller writes for a creationTimestamp nobody set.</summary>
    public static Action<CodedOutputStream> ZeroTime(int number) => Sub(number, Int(1, -62135596800), Int(2, 0));

    /// <summary>The k8s envelope: magic, then runtime.Unknown {typeMeta {apiVersion, kind}, raw}.</summary>
    public static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        [.. "k8s\0"u8, .. Message(Sub(1, Str(1, apiVersion), Str(2, kind)), Bytes(2, raw), Str(3, ""), Str(4, ""))];
}
