using System.Net;
using System.Net.Sockets;
using k8s.Models;
using NodeAgent.Cri;
using NodeAgent.Node.Probes;

namespace NodeAgent.Node.Tests.Probes;

/// <summary>httpGet and tcpSocket probes against listeners on 127.0.0.1.</summary>
public sealed class ProbeRunnerTests : IDisposable
{
    private readonly CriClient _unused = CriClientFactory.Connect("unix:///nonexistent/cri.sock");
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });

    public void Dispose()
    {
        _unused.Dispose();
        _http.Dispose();
    }

    [Fact]
    public async Task Http_get_succeeds_for_2xx_3xx_fails_otherwise_and_sends_headers()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var seen = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var server = Task.Run(async () =>
        {
            foreach (var code in new[] { 200, 302, 500 })
            {
                using var client = await listener.AcceptTcpClientAsync(cts.Token);
                using var stream = client.GetStream();
                using var reader = new StreamReader(stream);
                string? line;
                while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(cts.Token)))
                {
                    seen.Add(line);
                }

                var body = System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {code} X\r\nContent-Length: 0\r\nLocation: /x\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(body, cts.Token);
            }
        });
        var runner = new ProbeRunner(_unused.Runtime, _http);
        var container = new V1Container { Name = "c", Ports = [new V1ContainerPort { Name = "web", ContainerPort = port }] };
        var probe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "healthz", Port = "web", HttpHeaders = [new V1HTTPHeader { Name = "X-Probe", Value = "yes" }] } };
        var target = new ProbeTarget("id", "127.0.0.1", container);

        Assert.True((await runner.RunAsync(probe, target, cts.Token)).Success);
        Assert.True((await runner.RunAsync(probe, target, cts.Token)).Success);
        var failed = await runner.RunAsync(probe, target, cts.Token);
        Assert.False(failed.Success);
        Assert.Equal("HTTP probe failed with statuscode: 500", failed.Message);
        await server;
        Assert.Contains("GET /healthz HTTP/1.1", seen);
        Assert.Contains("X-Probe: yes", seen);
        Assert.Contains(seen, l => l.StartsWith("User-Agent: kube-probe/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tcp_socket_probe_succeeds_on_a_listener_and_fails_on_a_closed_port()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.True((await ProbeRunner.TcpAsync("127.0.0.1", port, TimeSpan.FromSeconds(5), CancellationToken.None)).Success);
        listener.Stop();
        var closed = await ProbeRunner.TcpAsync("127.0.0.1", port, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.False(closed.Success);
        Assert.StartsWith($"dial tcp 127.0.0.1:{port}", closed.Message, StringComparison.Ordinal);
    }
}
