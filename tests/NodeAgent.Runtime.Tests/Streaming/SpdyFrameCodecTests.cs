using NodeAgent.Runtime.Streaming.Spdy;

namespace NodeAgent.Runtime.Tests.Streaming;

public sealed class SpdyFrameCodecTests
{
    [Fact]
    public void The_header_dictionary_is_spdy3s_by_length_and_adler32()
    {
        Assert.Equal(1423, SpdyHeaderDictionary.Bytes.Length);
        Assert.Equal(0xe3c6a7c2u, SpdyHeaderDictionary.Id);
    }

    [Fact]
    public async Task Every_frame_type_survives_a_round_trip_and_header_blocks_share_one_zlib_stream()
    {
        using var writer = new SpdyFrameCodec();
        using var reader = new SpdyFrameCodec();
        SpdyFrame[] frames =
        [
            new SpdySynStreamFrame(1, 0, false, new Dictionary<string, string> { ["streamtype"] = "error" }),
            new SpdySynStreamFrame(3, 0, true, new Dictionary<string, string> { ["streamtype"] = "stdout", ["port"] = "8080" }),
            new SpdySynReplyFrame(1, false, new Dictionary<string, string>()),
            new SpdyHeadersFrame(3, true, new Dictionary<string, string> { ["x"] = "y" }),
            new SpdyDataFrame(5, true, "hello"u8.ToArray()),
            new SpdyRstStreamFrame(7, SpdyRstStatus.Cancel),
            new SpdySettingsFrame([new SpdySetting(1, 7, 65536)]),
            new SpdyPingFrame(42),
            new SpdyGoAwayFrame(9, 0),
            new SpdyWindowUpdateFrame(3, 1000),
        ];
        using var wire = new MemoryStream();
        foreach (var frame in frames)
        {
            wire.Write(writer.Encode(frame));
        }

        wire.Position = 0;
        foreach (var expected in frames)
        {
            var actual = await reader.ReadAsync(wire, CancellationToken.None);
            AssertSame(expected, actual!);
        }

        Assert.Null(await reader.ReadAsync(wire, CancellationToken.None));
    }

    [Fact]
    public async Task Header_blocks_compressed_by_real_zlib_with_the_dictionary_are_read()
    {
        // Python's zlib (compressobj(zdict=SPDY/3 dictionary)), two blocks with Z_SYNC_FLUSH: real back-references into the dictionary.
        var first = Convert.FromHexString("78f9e3c6a7c202253a703a2b294a4dcc851625aca9a080c65eb0f220db87a518e242b81f000000ffff");
        var second = Convert.FromHexString("02e53c0cb381b921251f5cc8e3d109000000ffff");
        using var reader = new SpdyFrameCodec();
        using var wire = new MemoryStream();
        wire.Write(SynReply(1, first));
        wire.Write(SynReply(3, second));
        wire.Position = 0;

        var one = Assert.IsType<SpdySynReplyFrame>(await reader.ReadAsync(wire, CancellationToken.None));
        var two = Assert.IsType<SpdySynReplyFrame>(await reader.ReadAsync(wire, CancellationToken.None));

        Assert.Equal("error", one.Headers["streamtype"]);
        Assert.Equal("gzip,deflate", one.Headers["accept-encoding"]);
        Assert.Equal("text/plain", one.Headers["content-type"]);
        Assert.Equal("stdout", two.Headers["streamtype"]);
        Assert.Equal(2, two.Headers.Count);
    }

    [Fact]
    public void Our_header_stream_announces_the_dictionary()
    {
        using var codec = new SpdyFrameCodec();
        var frame = codec.Encode(new SpdySynReplyFrame(1, false, new Dictionary<string, string> { ["a"] = "b" }));
        // 8-byte frame header, 4-byte stream id, then the zlib header: CMF 0x78, FLG with FDICT, DICTID.
        Assert.Equal([0x78, 0xBB, 0xe3, 0xc6, 0xa7, 0xc2], frame[12..18]);
    }

    [Fact]
    public void Our_compressed_blocks_never_depend_on_the_dictionary_so_any_inflater_reads_them()
    {
        using var compressor = new SpdyHeaderCompressor();
        var first = SpdyFrameCodec.EncodeNameValueBlock(new Dictionary<string, string> { ["streamtype"] = "error", ["content-type"] = "text/plain" });
        var second = SpdyFrameCodec.EncodeNameValueBlock(new Dictionary<string, string> { ["streamtype"] = "stdout" });
        var stream = compressor.Compress(first).Concat(compressor.Compress(second)).ToArray();

        // Same deflate data behind a zlib header without FDICT: the BCL inflates it with no dictionary at all.
        using var plain = new System.IO.Compression.ZLibStream(new MemoryStream([0x78, 0x9C, .. stream[6..]]), System.IO.Compression.CompressionMode.Decompress);
        var inflated = new byte[first.Length + second.Length];
        plain.ReadExactly(inflated);
        Assert.Equal(first.Concat(second), inflated);
    }

    [Fact]
    public void Name_value_blocks_are_length_prefixed_and_lower_case()
    {
        var block = SpdyFrameCodec.EncodeNameValueBlock(new Dictionary<string, string> { ["StreamType"] = "stdin" });
        Assert.Equal(Convert.FromHexString("00000001" + "0000000a" + Convert.ToHexString("streamtype"u8) + "00000005" + Convert.ToHexString("stdin"u8)), block);
        Assert.Equal("stdin", SpdyFrameCodec.DecodeNameValueBlock(block)["streamtype"]);
    }

    [Fact]
    public async Task Data_frames_carry_the_stream_id_fin_flag_and_24_bit_length()
    {
        using var codec = new SpdyFrameCodec();
        var bytes = codec.Encode(new SpdyDataFrame(0x01020304, true, new byte[] { 9, 8, 7 }));
        Assert.Equal(Convert.FromHexString("01020304" + "01" + "000003" + "090807"), bytes);
        var frame = Assert.IsType<SpdyDataFrame>(await codec.ReadAsync(new MemoryStream(bytes), CancellationToken.None));
        Assert.Equal([9, 8, 7], frame.Data.ToArray());
    }

    [Fact]
    public async Task A_frame_of_another_spdy_version_is_refused()
    {
        using var codec = new SpdyFrameCodec();
        var ping = codec.Encode(new SpdyPingFrame(1));
        ping[1] = 2;
        await Assert.ThrowsAsync<InvalidDataException>(() => codec.ReadAsync(new MemoryStream(ping), CancellationToken.None));
    }

    private static byte[] SynReply(uint streamId, byte[] compressedHeaders)
    {
        var length = 4 + compressedHeaders.Length;
        return [0x80, 0x03, 0x00, 0x02, 0x00, (byte)(length >> 16), (byte)(length >> 8), (byte)length, 0, 0, 0, (byte)streamId, .. compressedHeaders];
    }

    private static void AssertSame(SpdyFrame expected, SpdyFrame actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected)
        {
            case SpdySynStreamFrame s:
                var a = (SpdySynStreamFrame)actual;
                Assert.Equal((s.StreamId, s.Fin), (a.StreamId, a.Fin));
                Assert.Equal(s.Headers.OrderBy(h => h.Key), a.Headers.OrderBy(h => h.Key));
                break;
            case SpdySynReplyFrame r:
                Assert.Equal(r.StreamId, ((SpdySynReplyFrame)actual).StreamId);
                Assert.Empty(((SpdySynReplyFrame)actual).Headers);
                break;
            case SpdyHeadersFrame h:
                Assert.Equal("y", ((SpdyHeadersFrame)actual).Headers["x"]);
                Assert.True(((SpdyHeadersFrame)actual).Fin);
                break;
            case SpdyDataFrame d:
                var data = (SpdyDataFrame)actual;
                Assert.Equal((d.StreamId, d.Fin), (data.StreamId, data.Fin));
                Assert.Equal(d.Data.ToArray(), data.Data.ToArray());
                break;
            case SpdySettingsFrame s:
                Assert.Equal(s.Settings, ((SpdySettingsFrame)actual).Settings);
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
