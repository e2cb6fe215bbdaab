namespace NodeAgent.Api.Http.Protobuf;

/// <summary>How one protobuf field maps onto the JSON the client would have sent.</summary>
internal enum ProtoKind
{
    String,
    Bytes,
    Int32,
    Int64,
    Bool,

    /// <summary>A nested message that becomes a JSON object under the field's name.</summary>
    Message,

    /// <summary>A Go embedded struct: its fields land in the enclosing JSON object (e.g. Volume.volumeSource).</summary>
    Inline,

    /// <summary>resource.Quantity: a message holding one string, written as that string.</summary>
    Quantity,

    /// <summary>intstr.IntOrString {type, intVal, strVal}: a JSON number or string.</summary>
    IntOrString,

    /// <summary>meta/v1 Time {seconds, nanos}: an RFC 3339 string; Go's zero time is omitted (JSON null).</summary>
    Time,

    /// <summary>meta/v1 FieldsV1: its raw bytes are JSON.</summary>
    FieldsV1,
    StringMap,
    BytesMap,
    QuantityMap,

    /// <summary>Read and dropped on purpose (status on a create: the server drops it for every such kind).</summary>
    Ignored,
}

/// <summary>
/// One row of a message's field table. <paramref name="Pointer"/> marks Go pointer fields: their zero values
/// (0, false, "") were set by the client and are kept; the zero values of plain fields, which Go's protobuf
/// marshaller always writes, are dropped as the JSON encoder's omitempty drops them.
/// </summary>
internal sealed record ProtoField(string Json, ProtoKind Kind, string? Message = null, bool Repeated = false, bool Pointer = false)
{
    public static ProtoField Str(string json) => new(json, ProtoKind.String);

    public static ProtoField StrPtr(string json) => new(json, ProtoKind.String, Pointer: true);

    public static ProtoField Strs(string json) => new(json, ProtoKind.String, Repeated: true);

    public static ProtoField Int(string json) => new(json, ProtoKind.Int32);

    public static ProtoField IntPtr(string json) => new(json, ProtoKind.Int32, Pointer: true);

    public static ProtoField Long(string json) => new(json, ProtoKind.Int64);

    public static ProtoField LongPtr(string json) => new(json, ProtoKind.Int64, Pointer: true);

    public static ProtoField Longs(string json) => new(json, ProtoKind.Int64, Repeated: true);

    public static ProtoField Flag(string json) => new(json, ProtoKind.Bool);

    public static ProtoField FlagPtr(string json) => new(json, ProtoKind.Bool, Pointer: true);

    public static ProtoField Msg(string json, string message) => new(json, ProtoKind.Message, message);

    public static ProtoField Msgs(string json, string message) => new(json, ProtoKind.Message, message, Repeated: true);

    public static ProtoField Inline(string message) => new("", ProtoKind.Inline, message);

    public static ProtoField Qty(string json) => new(json, ProtoKind.Quantity);

    /// <summary>Kept even when 0: Go's JSON writes a plain IntOrString's zero value too, and pointer ones (maxSurge: 0) mean it.</summary>
    public static ProtoField IntStr(string json) => new(json, ProtoKind.IntOrString, Pointer: true);

    public static ProtoField Time(string json) => new(json, ProtoKind.Time);

    public static ProtoField Map(string json) => new(json, ProtoKind.StringMap);

    public static ProtoField ByteMap(string json) => new(json, ProtoKind.BytesMap);

    public static ProtoField QtyMap(string json) => new(json, ProtoKind.QuantityMap);

    public static ProtoField Ignored(string json) => new(json, ProtoKind.Ignored);
}
