using System.Buffers.Binary;
using System.IO.Compression;

namespace NodeAgent.Runtime.Streaming.Spdy;

/// <summary>
/// One direction of a connection's SPDY/3 header compression: a single zlib stream for the whole
/// connection, sync-flushed after each header block. The BCL's zlib streams take no preset
/// dictionary, so the dictionary is handled around raw deflate: the compressor announces it
/// (FDICT + DICTID, as the spec requires) but emits blocks that never refer back to it, which every
/// inflater accepts; the decompressor primes raw inflate with the dictionary as one stored block,
/// so the peer's back-references into it resolve, and drops those bytes from the output.
/// </summary>
internal sealed class SpdyHeaderCompressor : IDisposable
{
    private readonly MemoryStream _output = new();
    private readonly DeflateStream _deflate;
    private bool _headerWritten;

    public SpdyHeaderCompressor() => _deflate = new DeflateStream(_output, CompressionLevel.Fastest, leaveOpen: true);

    /// <summary>Compresses one header block; the result continues the connection's zlib stream.</summary>
    public byte[] Compress(ReadOnlySpan<byte> block)
    {
        if (!_headerWritten)
        {
            // CMF 0x78 (deflate, 32K window), FLG 0xBB (FDICT set, check bits valid), then the DICTID.
            _output.Write([0x78, 0xBB]);
            Span<byte> id = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(id, SpdyHeaderDictionary.Id);
            _output.Write(id);
            _headerWritten = true;
        }

        _deflate.Write(block);
        _deflate.Flush(); // Z_SYNC_FLUSH: the peer can inflate this block without waiting for the next
        var bytes = _output.ToArray();
        _output.SetLength(0);
        return bytes;
    }

    public void Dispose()
    {
        _deflate.Dispose();
        _output.Dispose();
    }
}

/// <summary>The inflating side; see <see cref="SpdyHeaderCompressor"/>.</summary>
internal sealed class SpdyHeaderDecompressor : IDisposable
{
    private const int ZlibHeaderBytes = 2;
    private const int DictIdBytes = 4;

    private readonly FeedStream _feed = new();
    private readonly DeflateStream _inflate;
    private int _headerBytesLeft = ZlibHeaderBytes;
    private bool _hasDictionary;
    private int _dictionaryBytesToSkip;
    private readonly byte[] _header = new byte[ZlibHeaderBytes + DictIdBytes];
    private int _headerLength;

    public SpdyHeaderDecompressor() => _inflate = new DeflateStream(_feed, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>Inflates one header block (all of it is available because the peer sync-flushed).</summary>
    public byte[] Decompress(ReadOnlySpan<byte> compressed)
    {
        compressed = ConsumeZlibHeader(compressed);
        _feed.Add(compressed.ToArray());
        using var output = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = _inflate.Read(buffer)) > 0)
        {
            var skip = Math.Min(_dictionaryBytesToSkip, read);
            _dictionaryBytesToSkip -= skip;
            output.Write(buffer, skip, read - skip);
        }

        return output.ToArray();
    }

    public void Dispose()
    {
        _inflate.Dispose();
        _feed.Dispose();
    }

    private ReadOnlySpan<byte> ConsumeZlibHeader(ReadOnlySpan<byte> data)
    {
        while (_headerBytesLeft > 0 && !data.IsEmpty)
        {
            _header[_headerLength++] = data[0];
            data = data[1..];
            _headerBytesLeft--;
            if (_headerLength == ZlibHeaderBytes)
            {
                if ((_header[0] & 0x0f) != 8 || ((_header[0] << 8) | _header[1]) % 31 != 0)
                {
                    throw new InvalidDataException("SPDY header block is not a zlib stream");
                }

                _hasDictionary = (_header[1] & 0x20) != 0;
                _headerBytesLeft = _hasDictionary ? DictIdBytes : 0;
            }

            if (_headerLength == ZlibHeaderBytes + DictIdBytes && _hasDictionary)
            {
                if (BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(ZlibHeaderBytes)) != SpdyHeaderDictionary.Id)
                {
                    throw new InvalidDataException("SPDY header block names a dictionary other than SPDY/3's");
                }

                PrimeWithDictionary();
            }
        }

        return data;
    }

    /// <summary>A stored (uncompressed, non-final) deflate block holding the dictionary fills inflate's window with it.</summary>
    private void PrimeWithDictionary()
    {
        var dictionary = SpdyHeaderDictionary.Bytes;
        var block = new byte[5 + dictionary.Length];
        block[0] = 0x00; // BFINAL 0, BTYPE 00 (stored), padded to the byte
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(1), (ushort)dictionary.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(3), (ushort)~dictionary.Length);
        dictionary.CopyTo(block, 5);
        _feed.Add(block);
        _dictionaryBytesToSkip = dictionary.Length;
    }

    /// <summary>Hands inflate what has arrived so far; "no more for now" reads as 0 and inflate resumes when fed again.</summary>
    private sealed class FeedStream : Stream
    {
        private readonly Queue<byte[]> _chunks = new();
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Add(byte[] chunk)
        {
            if (chunk.Length > 0)
            {
                _chunks.Enqueue(chunk);
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_chunks.Count == 0)
            {
                return 0;
            }

            var chunk = _chunks.Peek();
            var n = Math.Min(count, chunk.Length - _offset);
            Array.Copy(chunk, _offset, buffer, offset, n);
            _offset += n;
            if (_offset == chunk.Length)
            {
                _chunks.Dequeue();
                _offset = 0;
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
