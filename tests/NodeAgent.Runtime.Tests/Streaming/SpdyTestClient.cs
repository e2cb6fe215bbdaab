using System.Net.Sockets;
using System.Text;
using NodeAgent.Runtime.Streaming.Spdy;

namespace NodeAgent.Runtime.Tests.Streaming;

/// <summary>A minimal SPDY/3.1 client over an HTTP/1.1 upgrade (what crictl and kubectl ≤ 1.29 do), sharing the runtime's frame codec.</summary>
internal sealed class SpdyTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Task _frames;

    private SpdyTestClient(Socket socket, SpdyConnection connection, string protocol, CancellationToken cancellationToken)
    {
        _socket = socket;
        Connection = connection;
        Protocol = protocol;
        _frames = connection.RunAsync(cancellationToken);
    }

    public SpdyConnection Connection { get; }

    public string Protocol { get; }

    public static async Task<SpdyTestClient> ConnectAsync(string url, string[] protocols, CancellationToken cancellationToken)
    {
        var uri = new Uri(url);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(uri.Host, uri.Port, cancellationToken);
            var stream = new NetworkStream(socket, ownsSocket: false);
            var request = new StringBuilder()
                .Append($"POST {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n")
                .Append(string.Concat(protocols.Select(p => $"X-Stream-Protocol-Version: {p}\r\n")))
                .Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken);
            var head = await ReadHeadAsync(stream, cancellationToken);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new HttpRequestException($"upgrade refused: {head.Split("\r\n")[0]}");
            }

            var protocol = head.Split("\r\n").Select(l => l.Split(':', 2)).First(p => p[0].Equals("X-Stream-Protocol-Version", StringComparison.OrdinalIgnoreCase))[1].Trim();
            return new SpdyTestClient(socket, new SpdyConnection(stream, isServer: false), protocol, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Task<SpdyStream> OpenAsync(CancellationToken cancellationToken, params (string Name, string Value)[] headers)
        => Connection.OpenStreamAsync(headers.ToDictionary(h => h.Name, h => h.Value), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _socket.Shutdown(SocketShutdown.Both);
        await Connection.DisposeAsync();
        await _frames;
        _socket.Dispose();
    }

    /// <summary>Reads the HTTP response head byte by byte, so no SPDY frame after it is consumed.</summary>
    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new EndOfStreamException("connection closed during the upgrade");
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. head]);
    }
}
