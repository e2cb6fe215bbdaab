using Grpc.Net.Client;
using NodeAgent.Cri.V1;

namespace NodeAgent.Cri;

/// <summary>
/// A connection to a CRI runtime (ours, containerd, CRI-O) over its unix socket, with typed clients
/// for both CRI services. Disposing closes the channel and its socket connections.
/// </summary>
public sealed class CriClient : IDisposable
{
    internal CriClient(CriEndpoint endpoint, GrpcChannel channel)
    {
        Endpoint = endpoint;
        Channel = channel;
        Runtime = new RuntimeService.RuntimeServiceClient(channel);
        Images = new ImageService.ImageServiceClient(channel);
    }

    /// <summary>The socket this client talks to.</summary>
    public CriEndpoint Endpoint { get; }

    /// <summary>The underlying channel, for callers that build their own clients or interceptors on it.</summary>
    public GrpcChannel Channel { get; }

    /// <summary><c>runtime.v1.RuntimeService</c>: sandboxes, containers, exec, stats, status.</summary>
    public RuntimeService.RuntimeServiceClient Runtime { get; }

    /// <summary><c>runtime.v1.ImageService</c>: list, pull, remove, filesystem usage.</summary>
    public ImageService.ImageServiceClient Images { get; }

    public void Dispose() => Channel.Dispose();
}
