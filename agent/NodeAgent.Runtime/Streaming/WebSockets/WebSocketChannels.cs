using System.Buffers;
using System.Net.WebSockets;

namespace NodeAgent.Runtime.Streaming.WebSockets;

/// <summary>
/// The Kubernetes channel framing over a websocket (<c>*.channel.k8s.io</c>): every binary message
/// starts with one byte naming its channel. Sends are serialized; <see cref="ReadAsync"/> hands each
/// received message to the caller until the peer closes.
/// </summary>
internal sealed class WebSocketChannels(WebSocket socket) : IDisposable
{
    private const int MaxMessage = 1024 * 1024;
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public WebSocket Socket => socket;

    public void Dispose() => _sendLock.Dispose();

    /// <summary>Encodes one channel message (exposed for tests of the framing).</summary>
    public static byte[] Frame(byte channel, ReadOnlySpan<byte> data)
    {
        var message = new byte[data.Length + 1];
        message[0] = channel;
        data.CopyTo(message.AsSpan(1));
        return message;
    }

    public async Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var message = Frame(channel, data.Span);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Delivers (channel, payload) of each message until the peer closes or the socket fails.</summary>
    public async Task ReadAsync(Func<byte, ReadOnlyMemory<byte>, ValueTask> onMessage, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        using var message = new MemoryStream();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (message.Length > MaxMessage)
                {
                    throw new InvalidDataException("websocket message too large");
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = message.GetBuffer().AsMemory(0, (int)message.Length);
                message.SetLength(0);
                if (bytes.Length > 0)
                {
                    await onMessage(bytes.Span[0], bytes[1..].ToArray());
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away: the callers see the end of their input.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A write-only stream whose writes become messages on <paramref name="channel"/>.</summary>
    public Stream OutputStream(byte channel) => new ChannelWriteStream(this, channel);

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // Already closed by the peer.
        }
    }

    private sealed class ChannelWriteStream(WebSocketChannels channels, byte channel) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            => new(channels.SendAsync(channel, buffer, cancellationToken));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => channels.SendAsync(channel, buffer.AsMemory(offset, count), cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
