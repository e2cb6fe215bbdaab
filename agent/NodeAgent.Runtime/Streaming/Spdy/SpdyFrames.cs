namespace NodeAgent.Runtime.Streaming.Spdy;

/// <summary>A SPDY/3 frame (draft-mbelshe-httpbis-spdy-00 §2.2); header names are lower case.</summary>
internal abstract record SpdyFrame;

internal sealed record SpdyDataFrame(uint StreamId, bool Fin, ReadOnlyMemory<byte> Data) : SpdyFrame;

internal sealed record SpdySynStreamFrame(uint StreamId, uint AssociatedStreamId, bool Fin, IReadOnlyDictionary<string, string> Headers) : SpdyFrame;

internal sealed record SpdySynReplyFrame(uint StreamId, bool Fin, IReadOnlyDictionary<string, string> Headers) : SpdyFrame;

internal sealed record SpdyHeadersFrame(uint StreamId, bool Fin, IReadOnlyDictionary<string, string> Headers) : SpdyFrame;

internal sealed record SpdyRstStreamFrame(uint StreamId, SpdyRstStatus Status) : SpdyFrame;

internal sealed record SpdySettingsFrame(IReadOnlyList<SpdySetting> Settings) : SpdyFrame;

internal sealed record SpdyPingFrame(uint Id) : SpdyFrame;

internal sealed record SpdyGoAwayFrame(uint LastGoodStreamId, uint Status) : SpdyFrame;

internal sealed record SpdyWindowUpdateFrame(uint StreamId, uint Delta) : SpdyFrame;

/// <summary>A control frame of a type this codec does not know (the spec says: ignore it).</summary>
internal sealed record SpdyUnknownFrame(ushort Type) : SpdyFrame;

internal readonly record struct SpdySetting(byte Flags, uint Id, uint Value);

internal enum SpdyRstStatus : uint
{
    ProtocolError = 1,
    InvalidStream = 2,
    RefusedStream = 3,
    UnsupportedVersion = 4,
    Cancel = 5,
    InternalError = 6,
    FlowControlError = 7,
    StreamInUse = 8,
    StreamAlreadyClosed = 9,
}
