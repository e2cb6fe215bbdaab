using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace NodeAgent.Runtime.Streaming.Spdy;

/// <summary>
/// One SPDY/3.1 session over an upgraded HTTP/1.1 connection: a read loop that routes frames to
/// streams, answers PINGs and collects streams the peer opens; writes are serialized. Used by the
/// streaming server and (with <see cref="OpenStreamAsync"/>) by SPDY clients. Like the Go
/// spdystream peers Kubernetes uses, it sends no WINDOW_UPDATEs and ignores those it gets.
/// </summary>
internal sealed class SpdyConnection : IAsyncDisposable
{
    private readonly Stream _transport;
    private readonly SpdyFrameCodec _codec = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, SpdyStream> _streams = new();
    private readonly Channel<SpdyStream> _incoming = Channel.CreateUnbounded<SpdyStream>();
    private uint _nextStreamId;

    public SpdyConnection(Stream transport, bool isServer)
    {
        _transport = transport;
        _nextStreamId = isServer ? 2u : 1u;
    }

    /// <summary>Streams the peer opened (SYN_STREAM), in order; completes when the connection ends.</summary>
    public ChannelReader<SpdyStream> IncomingStreams => _incoming.Reader;

    /// <summary>Reads frames until the peer closes the connection, sends GOAWAY or the token is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _codec.ReadAsync(_transport, cancellationToken) is { } frame)
            {
                if (!await HandleAsync(frame, cancellationToken))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidDataException or EndOfStreamException)
        {
            // The connection is gone; the streams below learn it as an end of input.
        }
        finally
        {
            foreach (var stream in _streams.Values)
            {
                stream.CompleteInput();
                stream.FailReply();
            }

            _incoming.Writer.TryComplete();
        }
    }

    /// <summary>Opens a stream (SYN_STREAM) and waits for the peer's SYN_REPLY.</summary>
    public async Task<SpdyStream> OpenStreamAsync(IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var id = Interlocked.Add(ref _nextStreamId, 2) - 2;
        var stream = new SpdyStream(this, id, headers);
        _streams[id] = stream;
        await SendAsync(new SpdySynStreamFrame(id, 0, false, headers), cancellationToken);
        await stream.Replied.WaitAsync(cancellationToken);
        return stream;
    }

    public async Task SendAsync(SpdyFrame frame, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            // Encoding happens under the lock: header compression is one ordered zlib stream.
            await _transport.WriteAsync(_codec.Encode(frame), cancellationToken);
            await _transport.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task GoAwayAsync(CancellationToken cancellationToken)
        => await SendAsync(new SpdyGoAwayFrame(0, 0), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync();
        _codec.Dispose();
        _writeLock.Dispose();
    }

    private async Task<bool> HandleAsync(SpdyFrame frame, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case SpdySynStreamFrame syn:
                var stream = new SpdyStream(this, syn.StreamId, syn.Headers);
                if (!_streams.TryAdd(syn.StreamId, stream))
                {
                    await SendAsync(new SpdyRstStreamFrame(syn.StreamId, SpdyRstStatus.StreamInUse), cancellationToken);
                    break;
                }

                if (syn.Fin)
                {
                    stream.CompleteInput();
                }

                await _incoming.Writer.WriteAsync(stream, cancellationToken);
                break;
            case SpdySynReplyFrame reply when _streams.TryGetValue(reply.StreamId, out var replied):
                replied.SetReplied();
                if (reply.Fin)
                {
                    replied.CompleteInput();
                }

                break;
            case SpdyDataFrame data when _streams.TryGetValue(data.StreamId, out var target):
                await target.DeliverAsync(data.Data, cancellationToken);
                if (data.Fin)
                {
                    target.CompleteInput();
                }

                break;
            case SpdyRstStreamFrame reset when _streams.TryGetValue(reset.StreamId, out var resetStream):
                resetStream.CompleteInput();
                resetStream.FailReply();
                resetStream.MarkReset();
                break;
            case SpdyPingFrame ping:
                await SendAsync(ping, cancellationToken); // the peer's ping comes back unchanged
                break;
            case SpdyGoAwayFrame:
                return false;
        }

        return true;
    }
}

/// <summary>One SPDY stream: its SYN headers, what the peer sends on it, and a way to send back.</summary>
internal sealed class SpdyStream
{
    private const int MaxDataFrame = 32 * 1024;

    private readonly SpdyConnection _connection;
    private readonly Pipe _input = new();
    private readonly TaskCompletionSource _replied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inputCompleted;

    public SpdyStream(SpdyConnection connection, uint id, IReadOnlyDictionary<string, string> headers)
    {
        _connection = connection;
        Id = id;
        Headers = headers;
        Input = _input.Reader.AsStream();
    }

    public uint Id { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Data from the peer; ends at its FIN, a reset, or the end of the connection.</summary>
    public Stream Input { get; }

    public bool IsReset { get; private set; }

    internal Task Replied => _replied.Task;

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : string.Empty;

    public Task ReplyAsync(CancellationToken cancellationToken)
        => _connection.SendAsync(new SpdySynReplyFrame(Id, false, new Dictionary<string, string>()), cancellationToken);

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < data.Length; offset += MaxDataFrame)
        {
            var chunk = data.Slice(offset, Math.Min(MaxDataFrame, data.Length - offset));
            await _connection.SendAsync(new SpdyDataFrame(Id, false, chunk.ToArray()), cancellationToken);
        }
    }

    /// <summary>Half-closes our side (an empty DATA frame with FIN).</summary>
    public Task CloseWriteAsync(CancellationToken cancellationToken)
        => _connection.SendAsync(new SpdyDataFrame(Id, true, ReadOnlyMemory<byte>.Empty), cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken)
        => _connection.SendAsync(new SpdyRstStreamFrame(Id, SpdyRstStatus.Cancel), cancellationToken);

    /// <summary>A write-only view: each write becomes DATA frames; dispose sends FIN.</summary>
    public Stream AsWriteStream() => new SpdyWriteStream(this);

    internal async ValueTask DeliverAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _inputCompleted) == 0)
        {
            await _input.Writer.WriteAsync(data, cancellationToken);
        }
    }

    internal void CompleteInput()
    {
        if (Interlocked.Exchange(ref _inputCompleted, 1) == 0)
        {
            _input.Writer.Complete();
        }
    }

    internal void SetReplied() => _replied.TrySetResult();

    internal void FailReply() => _replied.TrySetException(new IOException($"SPDY stream {Id} was refused or the connection ended"));

    internal void MarkReset() => IsReset = true;

    private sealed class SpdyWriteStream(SpdyStream stream) : Stream
    {
        private bool _closed;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            => new(stream.WriteAsync(buffer, cancellationToken));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => stream.WriteAsync(buffer.AsMemory(offset, count), cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_closed)
            {
                _closed = true;
                try
                {
                    await stream.CloseWriteAsync(CancellationToken.None);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    // The connection is already gone: nothing to half-close.
                }
            }

            await base.DisposeAsync();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
