using System.Buffers.Binary;
using System.Text;

namespace NodeAgent.Runtime.Streaming.Spdy;

/// <summary>
/// Reads and writes SPDY/3 frames: an 8-byte header (control bit, version 3 and type, or the stream
/// id for DATA; flags; 24-bit length) and the payload. Header blocks go through the connection's
/// compressor/decompressor, so one codec instance serves one connection in one direction each.
/// </summary>
internal sealed class SpdyFrameCodec : IDisposable
{
    public const int Version = 3;
    public const byte FlagFin = 0x01;
    public const byte FlagUnidirectional = 0x02;
    public const int MaxFrameLength = 0xFFFFFF;

    private const ushort TypeSynStream = 1;
    private const ushort TypeSynReply = 2;
    private const ushort TypeRstStream = 3;
    private const ushort TypeSettings = 4;
    private const ushort TypePing = 6;
    private const ushort TypeGoAway = 7;
    private const ushort TypeHeaders = 8;
    private const ushort TypeWindowUpdate = 9;

    private readonly SpdyHeaderCompressor _compressor = new();
    private readonly SpdyHeaderDecompressor _decompressor = new();

    public byte[] Encode(SpdyFrame frame) => frame switch
    {
        SpdyDataFrame d => Data(d),
        SpdySynStreamFrame s => Control(TypeSynStream, s.Fin ? FlagFin : (byte)0, [.. U32(s.StreamId & 0x7fffffff), .. U32(s.AssociatedStreamId & 0x7fffffff), 0, 0, .. HeaderBlock(s.Headers)]),
        SpdySynReplyFrame r => Control(TypeSynReply, r.Fin ? FlagFin : (byte)0, [.. U32(r.StreamId & 0x7fffffff), .. HeaderBlock(r.Headers)]),
        SpdyHeadersFrame h => Control(TypeHeaders, h.Fin ? FlagFin : (byte)0, [.. U32(h.StreamId & 0x7fffffff), .. HeaderBlock(h.Headers)]),
        SpdyRstStreamFrame r => Control(TypeRstStream, 0, [.. U32(r.StreamId & 0x7fffffff), .. U32((uint)r.Status)]),
        SpdySettingsFrame s => Control(TypeSettings, 0, [.. U32((uint)s.Settings.Count), .. s.Settings.SelectMany(e => (byte[])[e.Flags, (byte)(e.Id >> 16), (byte)(e.Id >> 8), (byte)e.Id, .. U32(e.Value)])]),
        SpdyPingFrame p => Control(TypePing, 0, U32(p.Id)),
        SpdyGoAwayFrame g => Control(TypeGoAway, 0, [.. U32(g.LastGoodStreamId & 0x7fffffff), .. U32(g.Status)]),
        SpdyWindowUpdateFrame w => Control(TypeWindowUpdate, 0, [.. U32(w.StreamId & 0x7fffffff), .. U32(w.Delta & 0x7fffffff)]),
        _ => throw new ArgumentException($"cannot encode {frame.GetType().Name}", nameof(frame)),
    };

    /// <summary>Reads the next frame, or null at a clean end of the connection (EOF between frames).</summary>
    public async Task<SpdyFrame?> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        if (!await ReadExactlyOrEndAsync(input, header, cancellationToken))
        {
            return null;
        }

        var flags = header[4];
        var length = (header[5] << 16) | (header[6] << 8) | header[7];
        var payload = new byte[length];
        await input.ReadExactlyAsync(payload, cancellationToken);
        if ((header[0] & 0x80) == 0)
        {
            return new SpdyDataFrame(BinaryPrimitives.ReadUInt32BigEndian(header) & 0x7fffffff, (flags & FlagFin) != 0, payload);
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(header) & 0x7fff;
        if (version != Version)
        {
            throw new InvalidDataException($"SPDY version {version} is not supported (only 3)");
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
        var fin = (flags & FlagFin) != 0;
        return type switch
        {
            TypeSynStream => new SpdySynStreamFrame(StreamId(payload, 0), StreamId(payload, 4), fin, ParseHeaderBlock(payload.AsSpan(10))),
            TypeSynReply => new SpdySynReplyFrame(StreamId(payload, 0), fin, ParseHeaderBlock(payload.AsSpan(4))),
            TypeHeaders => new SpdyHeadersFrame(StreamId(payload, 0), fin, ParseHeaderBlock(payload.AsSpan(4))),
            TypeRstStream => new SpdyRstStreamFrame(StreamId(payload, 0), (SpdyRstStatus)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4))),
            TypeSettings => new SpdySettingsFrame(ParseSettings(payload)),
            TypePing => new SpdyPingFrame(BinaryPrimitives.ReadUInt32BigEndian(payload)),
            TypeGoAway => new SpdyGoAwayFrame(StreamId(payload, 0), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4))),
            TypeWindowUpdate => new SpdyWindowUpdateFrame(StreamId(payload, 0), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)) & 0x7fffffff),
            _ => new SpdyUnknownFrame(type),
        };
    }

    public void Dispose()
    {
        _compressor.Dispose();
        _decompressor.Dispose();
    }

    /// <summary>The uncompressed name/value block: a 32-bit count, then 32-bit-length-prefixed names and values.</summary>
    internal static byte[] EncodeNameValueBlock(IReadOnlyDictionary<string, string> headers)
    {
        using var block = new MemoryStream();
        block.Write(U32((uint)headers.Count));
        foreach (var (name, value) in headers)
        {
            foreach (var text in new[] { name.ToLowerInvariant(), value })
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                block.Write(U32((uint)bytes.Length));
                block.Write(bytes);
            }
        }

        return block.ToArray();
    }

    internal static Dictionary<string, string> DecodeNameValueBlock(ReadOnlySpan<byte> block)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var count = BinaryPrimitives.ReadUInt32BigEndian(block);
        var offset = 4;
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(block, ref offset);
            var value = ReadString(block, ref offset);
            headers[name] = value;
        }

        return headers;
    }

    private byte[] HeaderBlock(IReadOnlyDictionary<string, string> headers) => _compressor.Compress(EncodeNameValueBlock(headers));

    private Dictionary<string, string> ParseHeaderBlock(ReadOnlySpan<byte> compressed) => DecodeNameValueBlock(_decompressor.Decompress(compressed));

    private static string ReadString(ReadOnlySpan<byte> block, ref int offset)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(block[offset..]);
        offset += 4;
        var text = Encoding.UTF8.GetString(block.Slice(offset, length));
        offset += length;
        return text;
    }

    private static List<SpdySetting> ParseSettings(ReadOnlySpan<byte> payload)
    {
        var count = BinaryPrimitives.ReadUInt32BigEndian(payload);
        var settings = new List<SpdySetting>();
        for (var i = 0; i < count; i++)
        {
            var entry = payload.Slice(4 + (i * 8), 8);
            settings.Add(new SpdySetting(entry[0], (uint)((entry[1] << 16) | (entry[2] << 8) | entry[3]), BinaryPrimitives.ReadUInt32BigEndian(entry[4..])));
        }

        return settings;
    }

    private static uint StreamId(byte[] payload, int offset) => BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(offset)) & 0x7fffffff;

    private static byte[] Control(ushort type, byte flags, byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, 0x8000 | Version);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), type);
        WriteFlagsAndLength(frame, flags, payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }

    private static byte[] Data(SpdyDataFrame data)
    {
        var frame = new byte[8 + data.Data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, data.StreamId & 0x7fffffff);
        WriteFlagsAndLength(frame, data.Fin ? FlagFin : (byte)0, data.Data.Length);
        data.Data.Span.CopyTo(frame.AsSpan(8));
        return frame;
    }

    private static void WriteFlagsAndLength(byte[] frame, byte flags, int length)
    {
        if (length > MaxFrameLength)
        {
            throw new ArgumentException($"SPDY frame payload of {length} bytes exceeds 24 bits");
        }

        frame[4] = flags;
        frame[5] = (byte)(length >> 16);
        frame[6] = (byte)(length >> 8);
        frame[7] = (byte)length;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream input, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = await input.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return read == buffer.Length ? true : read == 0 ? false : throw new EndOfStreamException("SPDY connection ended inside a frame header");
    }
}
