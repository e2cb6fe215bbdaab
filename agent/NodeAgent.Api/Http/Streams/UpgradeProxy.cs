using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace NodeAgent.Api.Http.Streams;

/// <summary>
/// Relays a client's upgrade request (a websocket or SPDY/3.1 for exec, attach and port-forward) to the runtime's
/// streaming URL, answers with the runtime's 101 and then copies bytes both ways — the API server's part upstream
/// (its upgrade-aware proxy), so the protocol is negotiated once, by the streaming server.
/// </summary>
internal static class UpgradeProxy
{
    /// <summary>Request headers that belong to this hop (or must not travel to the node: the client's credentials).</summary>
    private static readonly string[] NotForwarded = ["Host", "Authorization", "Content-Length", "Transfer-Encoding", "Keep-Alive", "Proxy-Connection"];

    /// <summary>Response headers Kestrel writes itself for a 101.</summary>
    private static readonly string[] NotRelayed = ["Connection", "Content-Length", "Date", "Server", "Transfer-Encoding"];

    public static async Task ProxyAsync(HttpContext context, Uri upstreamUrl, CancellationToken ct)
    {
        var upgrade = UpgradeFeature(context);
        var headers = context.Request.Headers
            .Where(h => !NotForwarded.Contains(h.Key, StringComparer.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v ?? "")));
        using var upstream = await StreamingUpstream.SendAsync(upstreamUrl, context.Request.Method, headers, ct);
        if (upstream.StatusCode != StatusCodes.Status101SwitchingProtocols)
        {
            await upstream.RelayRefusalAsync(context.Response, ct);
            return;
        }

        foreach (var (name, value) in upstream.Headers.Where(h => !NotRelayed.Contains(h.Key, StringComparer.OrdinalIgnoreCase)))
        {
            context.Response.Headers.Append(name, value);
        }

        await using var client = await upgrade.UpgradeAsync();
        await PumpAsync(client, upstream, ct);
    }

    /// <summary>The upgrade feature of an HTTP/1.1 request that asks for one; 400 otherwise.</summary>
    public static IHttpUpgradeFeature UpgradeFeature(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade
            ? upgrade
            : throw ApiException.BadRequest("Upgrade request required");
    }

    /// <summary>
    /// Copies both ways until the runtime closes. When the client closes first the runtime sees end of input and gets a
    /// few seconds to send its last bytes (the exit status) before the connection is cut.
    /// </summary>
    private static Task PumpAsync(Stream client, StreamingUpstream upstream, CancellationToken ct)
        => RelayAsync(upstream, token => CopyAsync(upstream.Stream, client, token), token => CopyAsync(client, upstream.Stream, token), ct);

    /// <summary>Runs both directions of a relay with the half-close rule of <see cref="PumpAsync"/>.</summary>
    internal static async Task RelayAsync(StreamingUpstream upstream, Func<CancellationToken, Task> toClient, Func<CancellationToken, Task> toRuntime, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var down = toClient(stop.Token);
        var up = toRuntime(stop.Token);
        if (await Task.WhenAny(up, down) == up)
        {
            upstream.ShutdownSend();
            stop.CancelAfter(TimeSpan.FromSeconds(10));
            await down;
        }

        await stop.CancelAsync();
        await up;
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken ct)
    {
        try
        {
            await from.CopyToAsync(to, ct);
            await to.FlushAsync(ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // One side hung up; the other direction winds down on its own.
        }
    }
}
