using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace NodeAgent.Api.Http.Streams;

/// <summary>
/// Port-forward as kubectl 1.31+ asks for it: a websocket with subprotocol <c>SPDY/3.1+portforward.k8s.io</c> whose
/// binary messages carry a SPDY/3.1 session. The API server ends the websocket and opens an ordinary SPDY upgrade to
/// the runtime's streaming server, then copies the SPDY bytes between the two (upstream's tunneling handler).
/// </summary>
internal static class SpdyTunnel
{
    public const string Protocol = "SPDY/3.1+portforward.k8s.io";

    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static bool IsRequested(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.Equals(request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase)
            && request.Headers.SecWebSocketProtocol
                .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Contains(Protocol, StringComparer.Ordinal);
    }

    public static async Task ServeAsync(HttpContext context, Uri upstreamUrl, CancellationToken ct)
    {
        var upgrade = UpgradeProxy.UpgradeFeature(context);
        var key = context.Request.Headers.SecWebSocketKey.ToString();
        if (key.Length == 0)
        {
            throw ApiException.BadRequest("missing Sec-WebSocket-Key");
        }

        KeyValuePair<string, string>[] spdyUpgrade =
        [
            new("Connection", "Upgrade"),
            new("Upgrade", "SPDY/3.1"),
            new("X-Stream-Protocol-Version", "portforward.k8s.io"),
        ];
        using var upstream = await StreamingUpstream.SendAsync(upstreamUrl, "POST", spdyUpgrade, ct);
        if (upstream.StatusCode != StatusCodes.Status101SwitchingProtocols)
        {
            await upstream.RelayRefusalAsync(context.Response, ct);
            return;
        }

        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = AcceptKey(key);
        context.Response.Headers.SecWebSocketProtocol = Protocol;
        await using var transport = await upgrade.UpgradeAsync();

        // The subprotocol was agreed in the headers above; .NET refuses to record one with a '/' in it.
        using var socket = WebSocket.CreateFromStream(transport, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) });
        await UpgradeProxy.RelayAsync(upstream, token => ToClientAsync(upstream, socket, token), token => ToRuntimeAsync(socket, upstream, token), ct);
    }

    /// <summary>RFC 6455 §4.2.2: base64(SHA-1(key + GUID)).</summary>
#pragma warning disable CA5350 // The websocket handshake is defined with SHA-1; it proves nothing secret.
    internal static string AcceptKey(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
#pragma warning restore CA5350

    private static async Task ToClientAsync(StreamingUpstream upstream, WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await upstream.Stream.ReadAsync(buffer, ct)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, ct);
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
        catch (Exception e) when (e is IOException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side hung up.
        }
    }

    private static async Task ToRuntimeAsync(WebSocket socket, StreamingUpstream upstream, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await upstream.Stream.WriteAsync(buffer.AsMemory(0, result.Count), ct);
            }
        }
        catch (Exception e) when (e is IOException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side hung up.
        }
    }
}
