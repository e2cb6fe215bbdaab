using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Cri.Tests.Contract;

/// <summary>
/// Transport checks without a runtime: a bare unix socket stands in for the server, which is enough
/// to see what the client puts on the wire. Calls against real runtimes live in integration tests.
/// </summary>
public sealed class CriClientFactoryTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("na-cri-");

    private string SocketPath => Path.Combine(_directory.FullName, "cri.sock");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Client_speaks_http2_with_prior_knowledge_over_the_unix_socket()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(1);
        using var client = CriClientFactory.Connect("unix://" + SocketPath);

        using var call = client.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, cancellationToken: timeout.Token);
        using (var server = await listener.AcceptAsync(timeout.Token))
        {
            var preface = new byte[24];
            await ReceiveExactlyAsync(server, preface, timeout.Token);

            // The HTTP/2 connection preface as the very first bytes: no HTTP/1.1 upgrade dance.
            Assert.Equal("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Encoding.ASCII.GetString(preface));
        }

        // The stand-in hangs up after the preface; depending on whether the client's HEADERS frame was already on the
        // wire, the HTTP/2 stack reports that as a failed connection (Unavailable) or a broken stream (Internal).
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
    }

    [Fact]
    public async Task Connect_is_lazy_and_a_missing_socket_is_unavailable()
    {
        using var client = CriClientFactory.Connect("unix://" + SocketPath);

        Assert.Equal(SocketPath, client.Endpoint.SocketPath);
        var error = await Assert.ThrowsAsync<RpcException>(
            () => client.Images.ImageFsInfoAsync(new ImageFsInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public void Client_exposes_both_services_on_one_channel()
    {
        using var client = CriClientFactory.Connect(CriEndpoint.Parse("unix://" + SocketPath));

        Assert.NotNull(client.Runtime);
        Assert.NotNull(client.Images);
        Assert.Equal("localhost", client.Channel.Target);
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            Assert.NotEqual(0, count);
            read += count;
        }
    }
}
