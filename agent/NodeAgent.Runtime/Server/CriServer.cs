using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Oci;
using NodeAgent.Runtime.Streaming;

namespace NodeAgent.Runtime.Server;

/// <summary>
/// Hosts the CRI gRPC services on a unix socket (HTTP/2 without TLS, as every CRI runtime does).
/// The socket is owner-only (0600): CRI grants root-equivalent power.
/// </summary>
public sealed class CriServer : IAsyncDisposable
{
    private const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly RuntimeLock _lock;
    private readonly ImageServices _images;
    private readonly PodServices _pods;
    private readonly StreamingServer _streaming;

    private CriServer(WebApplication app, RuntimeLock runtimeLock, ImageServices images, PodServices pods, StreamingServer streaming, string socketPath)
    {
        _streaming = streaming;
        _app = app;
        _images = images;
        _pods = pods;
        _lock = runtimeLock;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Where Exec/Attach/PortForward URLs point.</summary>
    public Uri StreamingUri => _streaming.BaseUri;

    public static async Task<CriServer> StartAsync(RuntimeOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var socketPath = options.ListenSocket ?? throw new ArgumentException("ListenSocket is required", nameof(options));
        var runtimeLock = RuntimeLock.Acquire(options.Paths);
        ImageServices? images = null;
        PodServices? pods = null;
        StreamingServer? streaming = null;
        WebApplication? app = null;
        try
        {
            images = await RuntimeComposition.CreateImageServicesAsync(options, loggerFactory, cancellationToken);
            pods = await RuntimeComposition.CreatePodServicesAsync(options, images, loggerFactory, cancellationToken);
            streaming = await StreamingServer.StartAsync(
                options.Streaming,
                pods.Containers,
                pods.Sandboxes,
                OciRuntimeOptions.For(options.Paths) with { RuntimePath = options.OciRuntimePath },
                loggerFactory,
                TimeProvider.System,
                cancellationToken);
            // No file watcher on the content root for appsettings reloads (one per host cost ~40 MB RSS; bench/README.md).
            var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);

            Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
            RemoveStaleSocket(socketPath);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(new RuntimeInfo(options.Version));
            builder.Services.AddSingleton(images.Manager);
            builder.Services.AddSingleton(pods.Sandboxes);
            builder.Services.AddSingleton(pods.Containers);
            builder.Services.AddSingleton(pods.Pods);
            builder.Services.AddSingleton(pods.Network);
            builder.Services.AddSingleton(pods.Stats);
            builder.Services.AddSingleton(streaming);
            builder.Services.AddGrpc(grpc =>
            {
                grpc.Interceptors.Add<CriErrorInterceptor>();
                grpc.MaxReceiveMessageSize = MaxMessageBytes;
                grpc.MaxSendMessageSize = MaxMessageBytes;
            });

            app = builder.Build();
            app.MapGrpcService<CriImageService>();
            app.MapGrpcService<CriRuntimeService>();
            await app.StartAsync(cancellationToken);
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return new CriServer(app, runtimeLock, images, pods, streaming, socketPath);
        }
        catch
        {
            // A half-started server must not keep the socket, the store or the lock.
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            File.Delete(socketPath);
            if (streaming is not null)
            {
                await streaming.DisposeAsync();
            }

            pods?.Dispose();
            images?.Dispose();
            runtimeLock.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(SocketPath);
        await _streaming.DisposeAsync();
        _pods.Dispose();
        _images.Dispose();
        _lock.Dispose();
    }

    /// <summary>A socket file left by a killed runtime blocks bind(); the runtime lock proves nobody else serves it.</summary>
    private static void RemoveStaleSocket(string socketPath)
    {
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }
    }
}
