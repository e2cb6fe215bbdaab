using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Web;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Tests.Streaming;

/// <summary>
/// Just enough of an API server for <c>kubectl exec</c> to reach our streaming server, the way the
/// kubelet sits between them: discovery, one running pod, and an exec endpoint that asks the CRI
/// runtime for a URL and relays the client's upgrade request to it byte for byte.
/// </summary>
internal sealed class ExecOnlyApiServer : IAsyncDisposable
{
    public const string PodName = "p";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly RuntimeService.RuntimeServiceClient _runtime;
    private readonly string _containerId;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ExecOnlyApiServer(RuntimeService.RuntimeServiceClient runtime, string containerId)
    {
        _runtime = runtime;
        _containerId = containerId;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        try
        {
            var head = await ReadHeadAsync(stream, _stop.Token);
            var target = head.Split("\r\n")[0].Split(' ')[1];
            var path = target.Split('?')[0];
            var body = path switch
            {
                "/api" => """{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}""",
                "/apis" => """{"kind":"APIGroupList","apiVersion":"v1","groups":[]}""",
                "/api/v1" => """{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["get","list"]},{"name":"pods/exec","singularName":"","namespaced":true,"kind":"PodExecOptions","verbs":["create","get"]}]}""",
                $"/api/v1/namespaces/default/pods/{PodName}" => """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"POD","namespace":"default","uid":"u1"},"spec":{"containers":[{"name":"c","image":"busybox"}]},"status":{"phase":"Running"}}""".Replace("POD", PodName, StringComparison.Ordinal),
                _ => null,
            };
            if (path.EndsWith("/exec", StringComparison.Ordinal))
            {
                await RelayExecAsync(stream, head, target, _stop.Token);
                return;
            }

            var status = body is null ? "404 Not Found" : "200 OK";
            body ??= """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""";
            var bytes = Encoding.UTF8.GetBytes(body);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
            await stream.WriteAsync(bytes, _stop.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // kubectl hung up.
        }
    }

    private async Task RelayExecAsync(NetworkStream client, string head, string target, CancellationToken cancellationToken)
    {
        var query = HttpUtility.ParseQueryString(new Uri(Uri, target).Query);
        var request = new ExecRequest
        {
            ContainerId = _containerId,
            Cmd = { query.GetValues("command") ?? [] },
            Stdin = query["stdin"] == "true",
            Stdout = query["stdout"] == "true",
            Stderr = query["stderr"] == "true",
            Tty = query["tty"] == "true",
        };
        var url = new Uri((await _runtime.ExecAsync(request, cancellationToken: cancellationToken)).Url);
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(url.Host, url.Port, cancellationToken);
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var rewritten = new StringBuilder($"{requestLine[0]} {url.PathAndQuery} {requestLine[2]}\r\n");
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0 && !l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase)))
        {
            rewritten.Append(line).Append("\r\n");
        }

        rewritten.Append($"Host: {url.Authority}\r\n\r\n");
        var server = upstream.GetStream();
        await server.WriteAsync(Encoding.ASCII.GetBytes(rewritten.ToString()), cancellationToken);
        var up = client.CopyToAsync(server, cancellationToken);
        var down = server.CopyToAsync(client, cancellationToken);
        await Task.WhenAny(up, down);
        await down.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken); // the server's last bytes (status, close) must reach kubectl
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("connection closed before the request head ended");
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. head]);
    }
}
