using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci;
using NodeAgent.Runtime.Sandboxes;
using NodeAgent.Runtime.Streaming.PortForward;
using NodeAgent.Runtime.Streaming.RemoteCommand;
using NodeAgent.Runtime.Streaming.Spdy;
using NodeAgent.Runtime.Streaming.WebSockets;

namespace NodeAgent.Runtime.Streaming;

/// <summary>
/// The CRI streaming server: Exec, Attach and PortForward hand out <c>http://ADDRESS:PORT/{exec|attach|portforward}/TOKEN</c>
/// and the client upgrades that URL to a websocket (<c>v5/v4.channel.k8s.io</c>, port-forward
/// <c>v4.channel.k8s.io</c>/<c>portforward.k8s.io</c>) or to SPDY/3.1 with <c>X-Stream-Protocol-Version</c>
/// negotiation. Unknown, used or expired tokens answer 404.
/// </summary>
public sealed partial class StreamingServer : IAsyncDisposable
{
    private const string SpdyUpgrade = "SPDY/3.1";
    private const string ProtocolHeader = "X-Stream-Protocol-Version";

    private readonly WebApplication _app;
    private readonly StreamingTokens _tokens;
    private readonly ContainerExecSession _exec;
    private readonly ContainerAttachSession _attach;
    private readonly PodPortForwarder _portForward;
    private readonly ILogger _logger;

    private StreamingServer(WebApplication app, StreamingTokens tokens, ContainerExecSession exec, ContainerAttachSession attach, PodPortForwarder portForward, ILogger logger)
    {
        _app = app;
        _tokens = tokens;
        _exec = exec;
        _attach = attach;
        _portForward = portForward;
        _logger = logger;
    }

    /// <summary>The base of every URL handed out, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseUri { get; private set; } = null!;

    public static async Task<StreamingServer> StartAsync(StreamingOptions options, ContainerManager containers, SandboxManager sandboxes, OciRuntimeOptions oci, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]); // no appsettings file watcher (bench/README.md)
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.Address, options.Port, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var server = new StreamingServer(
            app,
            new StreamingTokens(time, options.TokenLifetime, options.MaxPendingTokens),
            new ContainerExecSession(containers, oci),
            new ContainerAttachSession(containers, oci),
            new PodPortForwarder(sandboxes, options),
            loggerFactory.CreateLogger<StreamingServer>());
        app.UseWebSockets();
        app.Map("/exec/{token}", WithToken(server.ServeExecAsync));
        app.Map("/attach/{token}", WithToken(server.ServeAttachAsync));
        app.Map("/portforward/{token}", WithToken(server.ServePortForwardAsync));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)) is Microsoft.AspNetCore.Hosting.Server.IServer kestrelServer ? kestrelServer.Features.Get<IServerAddressesFeature>()!.Addresses.First() : throw new InvalidOperationException("no server");
        var port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        var host = options.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.Address}]" : options.Address.ToString();
        server.BaseUri = new Uri($"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}");
        LogStarted(server._logger, server.BaseUri);
        return server;
    }

    public string ExecUrl(ExecRequest request) => Url("exec", request);

    public string AttachUrl(AttachRequest request) => Url("attach", request);

    public string PortForwardUrl(PortForwardRequest request) => Url("portforward", request);

    public async ValueTask DisposeAsync()
    {
        // Open sessions are cut after a short grace period rather than holding up the runtime's shutdown.
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }

    private string Url(string kind, object request) => new Uri(BaseUri, $"/{kind}/{_tokens.Insert(request)}").ToString();

    // A RequestDelegate rather than a handler with a bound route parameter: no RequestDelegateFactory (expression
    // trees) for the Native AOT publish. The route always has the token.
    private static RequestDelegate WithToken(Func<HttpContext, string, Task> serve)
        => context => serve(context, (string)context.Request.RouteValues["token"]!);

    private async Task ServeExecAsync(HttpContext context, string token)
    {
        if (_tokens.Consume<ExecRequest>(token) is not { } request)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var options = new RemoteCommandOptions(request.Stdin, request.Stdout, request.Stderr, request.Tty);
        LogSession(_logger, "exec", request.ContainerId);
        await ServeRemoteCommandAsync(context, options, async (streams, ct) =>
        {
            await using var exec = await _exec.StartAsync(request.ContainerId, request.Cmd, options, ct);
            return await ProcessStreamPump.RunAsync(exec.Process, exec.Kill, streams, options.Tty, ct);
        });
    }

    private async Task ServeAttachAsync(HttpContext context, string token)
    {
        if (_tokens.Consume<AttachRequest>(token) is not { } request)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var options = new RemoteCommandOptions(request.Stdin, request.Stdout, request.Stderr, request.Tty);
        LogSession(_logger, "attach", request.ContainerId);
        await ServeRemoteCommandAsync(context, options, (streams, ct) => _attach.RunAsync(request.ContainerId, streams, ct));
    }

    private async Task ServePortForwardAsync(HttpContext context, string token)
    {
        if (_tokens.Consume<PortForwardRequest>(token) is not { } request)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        LogSession(_logger, "port-forward", request.PodSandboxId);
        var ct = context.RequestAborted;
        if (context.WebSockets.IsWebSocketRequest)
        {
            var ports = context.Request.Query["port"].Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1).ToList();
            if (ports.Count == 0)
            {
                ports = [.. request.Port];
            }

            if (ports.Count == 0 || ports.Any(p => p is < 1 or > 65535))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            var protocol = Negotiate(context.WebSockets.WebSocketRequestedProtocols, WebSocketPortForward.Protocols);
            using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
            using var channels = new WebSocketChannels(socket);
            await WebSocketPortForward.RunAsync(channels, _portForward, request.PodSandboxId, ports, ct);
            return;
        }

        if (await UpgradeToSpdyAsync(context, [SpdyPortForward.Protocol]) is not { } upgraded)
        {
            return;
        }

        await using var connection = upgraded.Connection;
        var reader = connection.RunAsync(ct);
        await SpdyPortForward.RunAsync(connection, _portForward, request.PodSandboxId, [.. request.Port], ct);
        await reader;
    }

    private async Task ServeRemoteCommandAsync(HttpContext context, RemoteCommandOptions options, Func<IRemoteCommandStreams, CancellationToken, Task<RemoteCommandOutcome>> run)
    {
        var ct = context.RequestAborted;
        if (context.WebSockets.IsWebSocketRequest)
        {
            var protocol = Negotiate(context.WebSockets.WebSocketRequestedProtocols, RemoteCommandProtocol.WebSocketProtocols);
            if (protocol is null)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
            using var channels = new WebSocketChannels(socket);
            var streams = new WebSocketRemoteCommandStreams(channels, protocol, options);
            var reader = streams.ReadClientAsync(ct);
            await streams.FinishAsync(await RunGuardedAsync(run, streams, ct), ct);
            await reader;
            return;
        }

        if (await UpgradeToSpdyAsync(context, RemoteCommandProtocol.SpdyProtocols) is not { } upgraded)
        {
            return;
        }

        await using var connection = upgraded.Connection;
        var frames = connection.RunAsync(ct);
        using var accept = CancellationTokenSource.CreateLinkedTokenSource(ct);
        accept.CancelAfter(TimeSpan.FromSeconds(30)); // the kubelet's stream creation timeout
        var spdyStreams = await SpdyRemoteCommandStreams.AcceptAsync(connection, upgraded.Protocol, options, accept.Token);
        var resizes = spdyStreams.ReadResizesAsync(ct);
        await spdyStreams.FinishAsync(await RunGuardedAsync(run, spdyStreams, ct), ct);
        await connection.GoAwayAsync(ct);
        await resizes;
        await frames;
    }

    /// <summary>A failure to start (container gone, not running) is reported on the error stream, not as a dropped connection.</summary>
    private async Task<RemoteCommandOutcome> RunGuardedAsync(Func<IRemoteCommandStreams, CancellationToken, Task<RemoteCommandOutcome>> run, IRemoteCommandStreams streams, CancellationToken ct)
    {
        try
        {
            return await run(streams, ct);
        }
        catch (Exception e) when (e is RuntimeException or IOException)
        {
            LogSessionFailed(_logger, e);
            return RemoteCommandOutcome.Failed(e.Message);
        }
    }

    private static async Task<(SpdyConnection Connection, string Protocol)?> UpgradeToSpdyAsync(HttpContext context, string[] supported)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true } || !string.Equals(context.Request.Headers.Upgrade, SpdyUpgrade, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("expected a websocket or an Upgrade: SPDY/3.1 request", context.RequestAborted);
            return null;
        }

        var offered = context.Request.Headers[ProtocolHeader].SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        var protocol = Negotiate(offered, supported);
        if (protocol is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync($"none of the offered protocols ({string.Join(", ", offered)}) is supported: {string.Join(", ", supported)}", context.RequestAborted);
            return null;
        }

        context.Response.Headers[ProtocolHeader] = protocol;
        context.Response.Headers.Upgrade = SpdyUpgrade;
        var transport = await upgrade.UpgradeAsync();
        return (new SpdyConnection(transport, isServer: true), protocol);
    }

    /// <summary>The client's first choice that we speak (the kubelet's rule).</summary>
    private static string? Negotiate(IEnumerable<string> offered, string[] supported)
        => offered.FirstOrDefault(p => supported.Contains(p, StringComparer.Ordinal));

    [LoggerMessage(Level = LogLevel.Information, Message = "streaming server listening on {BaseUri}")]
    private static partial void LogStarted(ILogger logger, Uri baseUri);

    [LoggerMessage(Level = LogLevel.Debug, Message = "streaming {Kind} session for {Target}")]
    private static partial void LogSession(ILogger logger, string kind, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "streaming session failed")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception);
}
