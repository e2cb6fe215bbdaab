using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace NodeAgent.Cri;

/// <summary>Creates <see cref="CriClient"/>s for <c>unix://</c> CRI endpoints.</summary>
public static class CriClientFactory
{
    /// <summary>
    /// Message size limit in both directions, the same as kubelet's: ListContainers, ListPodSandbox
    /// and ListContainerStats on a busy node easily pass gRPC's 4 MiB default.
    /// </summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    /// <summary>Parses <paramref name="endpoint"/> (<c>unix:///abs/path</c>) and connects lazily.</summary>
    /// <exception cref="FormatException">The endpoint is not a valid <c>unix://</c> socket address.</exception>
    public static CriClient Connect(string endpoint) => Connect(CriEndpoint.Parse(endpoint));

    /// <summary>
    /// Creates a client for <paramref name="endpoint"/>. No I/O happens here: the socket is dialled on
    /// the first call, so a runtime that starts later is still reached.
    /// </summary>
    public static CriClient Connect(CriEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socketPath = endpoint.SocketPath;
        var handler = new SocketsHttpHandler
        {
            // Every HTTP connection is a fresh unix socket connection; the URI's host is ignored.
            ConnectCallback = (_, cancellationToken) => ConnectUnixSocketAsync(socketPath, cancellationToken),
            // A local runtime has no proxy; never consult HTTP_PROXY for "localhost".
            UseProxy = false,
            // Open another connection rather than queue calls when the runtime's concurrent-stream
            // limit is reached (long-lived streams such as GetContainerEvents count against it).
            EnableMultipleHttp2Connections = true,
        };

        // gRPC needs HTTP/2. Over a plain socket there is no TLS/ALPN to negotiate it, so HTTP/2 is
        // spoken from the first byte ("prior knowledge", h2c), which RequestVersionExact enforces.
        var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            HttpVersion = HttpVersion.Version20,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
        });
        return new CriClient(endpoint, channel);
    }

    private static async ValueTask<Stream> ConnectUnixSocketAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
