using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Http.Streams;

/// <summary>
/// An upgrade request sent to the runtime's streaming server (plain HTTP/1.1 on the node) and its response head. A
/// refusal (anything but 101) is relayed to the client as the runtime worded it.
/// </summary>
internal sealed class StreamingUpstream : IDisposable
{
    private const int MaxHeadBytes = 16 * 1024;
    private const int MaxRefusalBytes = 64 * 1024;

    private readonly TcpClient _tcp;

    private StreamingUpstream(TcpClient tcp, int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        _tcp = tcp;
        StatusCode = statusCode;
        Headers = headers;
    }

    public int StatusCode { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public NetworkStream Stream => _tcp.GetStream();

    /// <summary>Connects to <paramref name="url"/> and sends <c>METHOD path HTTP/1.1</c> with <paramref name="headers"/> (Host is added).</summary>
    public static async Task<StreamingUpstream> SendAsync(Uri url, string method, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(url.Host.Trim('[', ']'), url.Port, ct); // an IPv6 literal comes bracketed
            var head = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{method} {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\n");
            foreach (var (name, value) in headers)
            {
                head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
            }

            head.Append("\r\n");
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
            var (status, responseHeaders) = ParseHead(await ReadHeadAsync(stream, ct));
            return new StreamingUpstream(tcp, status, responseHeaders);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    public string? Header(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    /// <summary>Answers the client with the runtime's refusal: its status code and (plain text) body.</summary>
    public async Task RelayRefusalAsync(HttpResponse response, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await ReadBodyAsync(ct);
        response.StatusCode = StatusCode;
        response.ContentType = Header("Content-Type") ?? "text/plain; charset=utf-8";
        await response.Body.WriteAsync(body, ct);
    }

    /// <summary>Our half of the connection is done: the runtime sees end of input (stdin closed, for instance).</summary>
    public void ShutdownSend()
    {
        try
        {
            _tcp.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    public void Dispose() => _tcp.Dispose();

    internal static (int Status, List<KeyValuePair<string, string>> Headers) ParseHead(string head)
    {
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var statusLine = lines.Length > 0 ? lines[0].Split(' ', 3) : [];
        if (statusLine.Length < 2 || !int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new IOException($"the streaming server sent no HTTP status line: {(lines.Length > 0 ? lines[0] : "")}");
        }

        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .Select(p => KeyValuePair.Create(p[0].Trim(), p[1].Trim()))
            .ToList();
        return (status, headers);
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        // Byte by byte: whatever follows the head already belongs to the upgraded protocol.
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (head.Count > MaxHeadBytes || await stream.ReadAsync(one, ct) == 0)
            {
                throw new IOException("the streaming server closed the connection before its response head ended");
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. head]);
    }

    private async Task<byte[]> ReadBodyAsync(CancellationToken ct)
    {
        var stream = Stream;
        if (Header("Content-Length") is { } length && int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            var body = new byte[Math.Min(count, MaxRefusalBytes)];
            await stream.ReadExactlyAsync(body, ct);
            return body;
        }

        if (!string.Equals(Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var output = new MemoryStream();
        while (output.Length < MaxRefusalBytes)
        {
            var sizeLine = await ReadLineAsync(stream, ct);
            var size = int.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                break;
            }

            var chunk = new byte[size];
            await stream.ReadExactlyAsync(chunk, ct);
            output.Write(chunk);
            await ReadLineAsync(stream, ct);
        }

        return output.ToArray();
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream, CancellationToken ct)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await stream.ReadAsync(one, ct) == 1 && one[0] != '\n')
        {
            if (one[0] != '\r')
            {
                line.Append((char)one[0]);
            }
        }

        return line.ToString();
    }
}
