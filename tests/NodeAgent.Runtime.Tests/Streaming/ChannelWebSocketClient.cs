using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace NodeAgent.Runtime.Tests.Streaming;

/// <summary>A Kubernetes channel-protocol websocket client (what kubectl's websocket executor does), built on ClientWebSocket.</summary>
internal sealed class ChannelWebSocketClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Dictionary<byte, MemoryStream> _received = [];
    private readonly Channel<byte> _arrivals = Channel.CreateUnbounded<byte>();
    private Task? _reader;

    public string? Protocol => _socket.SubProtocol;

    public Task Closed => _reader ?? Task.CompletedTask;

    public static async Task<ChannelWebSocketClient> ConnectAsync(string url, string[] protocols, CancellationToken cancellationToken)
    {
        var client = new ChannelWebSocketClient();
        foreach (var protocol in protocols)
        {
            client._socket.Options.AddSubProtocol(protocol);
        }

        await client._socket.ConnectAsync(new Uri(url.Replace("http://", "ws://", StringComparison.Ordinal)), cancellationToken);
        client._reader = client.ReadLoopAsync(cancellationToken);
        return client;
    }

    public async Task SendAsync(byte channel, byte[] data, CancellationToken cancellationToken)
        => await _socket.SendAsync((byte[])[channel, .. data], WebSocketMessageType.Binary, true, cancellationToken);

    public Task SendTextAsync(byte channel, string text, CancellationToken cancellationToken) => SendAsync(channel, Encoding.UTF8.GetBytes(text), cancellationToken);

    public byte[] Received(byte channel)
    {
        lock (_received)
        {
            return _received.TryGetValue(channel, out var stream) ? stream.ToArray() : [];
        }
    }

    public string Text(byte channel) => Encoding.UTF8.GetString(Received(channel));

    /// <summary>Waits (on arrivals, not time) until <paramref name="condition"/> holds.</summary>
    public async Task WaitForAsync(Func<ChannelWebSocketClient, bool> condition, CancellationToken cancellationToken)
    {
        while (!condition(this))
        {
            if (!await _arrivals.Reader.WaitToReadAsync(cancellationToken))
            {
                if (!condition(this))
                {
                    throw new InvalidOperationException($"the connection closed first; stdout so far: {Text(1)}");
                }

                return;
            }

            _arrivals.Reader.TryRead(out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        if (_reader is not null)
        {
            await _reader;
        }

        _socket.Dispose();
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = message.ToArray();
                message.SetLength(0);
                if (bytes.Length == 0)
                {
                    continue;
                }

                lock (_received)
                {
                    if (!_received.TryGetValue(bytes[0], out var stream))
                    {
                        _received[bytes[0]] = stream = new MemoryStream();
                    }

                    stream.Write(bytes, 1, bytes.Length - 1);
                }

                _arrivals.Writer.TryWrite(bytes[0]);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Aborted by dispose or the deadline.
        }
        finally
        {
            _arrivals.Writer.TryComplete();
        }
    }
}
