using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NodeAgent.Testing.Faults;

/// <summary>
/// A tiny HTTP/1.1 proxy on 127.0.0.1 in front of a registry, injecting faults by rule (see
/// <see cref="FaultKind"/>) and optionally acting as a bearer-token registry with its own
/// <c>/token</c> endpoint. One request per connection (every response says Connection: close),
/// so a fault never leaks into the next request. It records every request it receives.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const string Service = "nodeagent-test";
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly TcpListener _listener;
    private readonly string _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, bool> _tokens = new(StringComparer.Ordinal);
    private readonly List<FaultRule> _rules = [];
    private readonly Task _acceptLoop;
    private (string? Username, string? Password)? _bearer;
    private int _issued;

    private FaultProxy(string upstreamHost)
    {
        _upstream = upstreamHost;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    /// <summary><c>127.0.0.1:PORT</c> of the proxy.</summary>
    public string Host => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public IReadOnlyList<ProxiedRequest> Requests => [.. _requests];

    /// <summary>Requests to the token endpoint.</summary>
    public IReadOnlyList<ProxiedRequest> TokenRequests => [.. _requests.Where(r => r.Path == "/token")];

    /// <summary>Starts a proxy forwarding to <paramref name="upstreamHost"/> (<c>127.0.0.1:PORT</c>).</summary>
    public static FaultProxy Start(string upstreamHost) => new(upstreamHost);

    public FaultRule Add(FaultRule rule)
    {
        lock (_rules)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Stops applying <paramref name="rule"/> to new requests (one already being served keeps it).</summary>
    public void Remove(FaultRule rule)
    {
        lock (_rules)
        {
            _rules.Remove(rule);
        }
    }

    /// <summary>GET requests for the blob <paramref name="digest"/> so far.</summary>
    public IReadOnlyList<ProxiedRequest> BlobGets(string digest)
        => [.. _requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/blobs/" + digest, StringComparison.Ordinal))];

    /// <summary>
    /// From now on <c>/v2/…</c> needs a bearer token from this proxy's <c>/token</c>, which asks for
    /// basic credentials when <paramref name="username"/> is given (anonymous tokens otherwise).
    /// </summary>
    public void RequireBearer(string? username = null, string? password = null) => _bearer = (username, password);

    /// <summary>A token accepted without visiting /token (a caller-supplied registry token).</summary>
    public void AcceptToken(string token) => _tokens[token] = true;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAll(_connections.Append(_acceptLoop)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections.Add(HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        var ct = _stop.Token;
        try
        {
            var stream = client.GetStream();
            var (head, _) = await ReadHeadAsync(stream, ct);
            if (head is null)
            {
                return;
            }

            var request = ParseRequest(head);
            _requests.Enqueue(request);
            if (_bearer is { } bearer && await AnswerBearerAsync(stream, request, bearer, ct))
            {
                return;
            }

            FaultRule? rule;
            lock (_rules)
            {
                rule = _rules.FirstOrDefault(r => r.TryApply(request));
            }

            switch (rule?.Kind)
            {
                case FaultKind.ServiceUnavailable:
                    await RespondAsync(stream, "503 Service Unavailable", "text/plain", "injected fault"u8.ToArray(), [], ct);
                    return;
                case FaultKind.TooManyRequests:
                    await RespondAsync(stream, "429 Too Many Requests", "text/plain", "slow down"u8.ToArray(), ["Retry-After: 1"], ct);
                    return;
                case FaultKind.RedirectToUpstream:
                    await RespondAsync(stream, "307 Temporary Redirect", "text/plain", [], [$"Location: http://{_upstream}{request.Target}"], ct);
                    return;
                case FaultKind.DelayResponse:
                    await Task.Delay(rule.Delay, ct);
                    break;
            }

            await ForwardAsync(client, stream, request, rule, ct);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the proxy is stopping: nothing to report.
        }
    }

    /// <summary>Serves /token and refuses /v2/ requests without one of our tokens. True when it answered.</summary>
    private async Task<bool> AnswerBearerAsync(NetworkStream stream, ProxiedRequest request, (string? Username, string? Password) bearer, CancellationToken ct)
    {
        if (request.Path == "/token")
        {
            var expected = bearer.Username is null ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{bearer.Username}:{bearer.Password}"));
            if (expected is not null && request.Header("Authorization") != expected)
            {
                await RespondAsync(stream, "401 Unauthorized", "application/json", "{\"details\":\"incorrect username or password\"}"u8.ToArray(), [], ct);
                return true;
            }

            var token = $"token-{Interlocked.Increment(ref _issued)}";
            _tokens[token] = true;
            await RespondAsync(stream, "200 OK", "application/json", Encoding.UTF8.GetBytes($"{{\"token\":\"{token}\",\"expires_in\":300}}"), [], ct);
            return true;
        }

        var authorization = request.Header("Authorization");
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.ContainsKey(authorization[7..]))
        {
            return false;
        }

        var challenge = $"Bearer realm=\"http://{Host}/token\",service=\"{Service}\"";
        if (RepositoryOf(request.Path) is { } repository)
        {
            challenge += $",scope=\"repository:{repository}:pull\"";
        }

        await RespondAsync(
            stream,
            "401 Unauthorized",
            "application/json",
            "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"u8.ToArray(),
            [$"WWW-Authenticate: {challenge}"],
            ct);
        return true;
    }

    private async Task ForwardAsync(TcpClient client, NetworkStream stream, ProxiedRequest request, FaultRule? rule, CancellationToken ct)
    {
        using var upstream = new TcpClient();
        var colon = _upstream.LastIndexOf(':');
        await upstream.ConnectAsync(_upstream[..colon], int.Parse(_upstream[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), ct);
        var upstreamStream = upstream.GetStream();

        var head = new StringBuilder($"{request.Method} {request.Target} HTTP/1.1\r\n");
        foreach (var (name, value) in request.Headers)
        {
            var drop = name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                || (rule?.Kind == FaultKind.IgnoreRange && name.Equals("Range", StringComparison.OrdinalIgnoreCase))
                || (_bearer is not null && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
            if (!drop)
            {
                head.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        head.Append("Connection: close\r\n\r\n");
        await upstreamStream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);

        var (responseHead, leftover) = await ReadHeadAsync(upstreamStream, ct);
        if (responseHead is null)
        {
            return;
        }

        // Every response closes its connection, so one request's fault never reaches the next.
        var lines = responseHead.Split("\r\n").Where(l => !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Join("\r\n", lines) + "\r\nConnection: close\r\n\r\n"), ct);

        long offset = 0;
        var buffer = new byte[16384];
        var chunk = leftover;
        while (true)
        {
            if (chunk.Length == 0)
            {
                var read = await upstreamStream.ReadAsync(buffer, ct);
                if (read == 0)
                {
                    return;
                }

                chunk = buffer.AsMemory(0, read);
            }

            if (rule is { Kind: FaultKind.ResetAfterBytes or FaultKind.StallAfterBytes } && offset + chunk.Length > rule.Bytes)
            {
                await stream.WriteAsync(chunk[..(int)(rule.Bytes - offset)], ct);
                await stream.FlushAsync(ct);
                // Stall: go silent. Reset: give the client a moment to take what was sent, since an RST drops unsent data.
                await Task.Delay(rule.Kind == FaultKind.StallAfterBytes ? rule.Delay : TimeSpan.FromMilliseconds(100), ct);

                client.Client.LingerState = new LingerOption(true, 0); // close with RST, not FIN
                client.Client.Close();
                return;
            }

            if (rule?.Kind == FaultKind.CorruptByte && rule.Bytes >= offset && rule.Bytes < offset + chunk.Length)
            {
                var copy = chunk.ToArray();
                copy[rule.Bytes - offset] ^= 0xff;
                chunk = copy;
            }

            if (rule?.Kind == FaultKind.Throttle)
            {
                offset = await TrickleAsync(stream, chunk, offset, rule, ct);
            }
            else
            {
                await stream.WriteAsync(chunk, ct);
                offset += chunk.Length;
            }

            chunk = Memory<byte>.Empty;
        }
    }

    /// <summary>Sends <paramref name="chunk"/> in twentieths of a second's worth; returns the new body offset.</summary>
    private static async Task<long> TrickleAsync(NetworkStream stream, Memory<byte> chunk, long offset, FaultRule rule, CancellationToken ct)
    {
        var slice = (int)Math.Max(1, rule.BytesPerSecond / 20);
        while (chunk.Length > 0)
        {
            var part = chunk[..Math.Min(slice, chunk.Length)];
            await stream.WriteAsync(part, ct);
            await stream.FlushAsync(ct);
            offset += part.Length;
            chunk = chunk[part.Length..];
            rule.Forwarded(offset);

            // Pacing the wire, not waiting for state.
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }

        return offset;
    }

    private static async Task RespondAsync(NetworkStream stream, string status, string contentType, byte[] body, IEnumerable<string> headers, CancellationToken ct)
    {
        var head = new StringBuilder($"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), ct);
        await stream.WriteAsync(body, ct);
    }

    /// <summary>Reads up to the blank line; returns the head (without it) and any body bytes read past it.</summary>
    private static async Task<(string? Head, Memory<byte> Leftover)> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[65536];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0)
            {
                return (null, Memory<byte>.Empty);
            }

            length += read;
            var end = buffer.AsSpan(0, length).IndexOf(HeadEnd);
            if (end >= 0)
            {
                return (Encoding.ASCII.GetString(buffer, 0, end), buffer.AsMemory(end + HeadEnd.Length, length - end - HeadEnd.Length));
            }
        }

        throw new IOException("HTTP head larger than 64 KiB");
    }

    private static ProxiedRequest ParseRequest(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return new ProxiedRequest(parts[0], parts[1], headers);
    }

    /// <summary>The repository of <c>/v2/REPO/manifests|blobs/…</c>.</summary>
    private static string? RepositoryOf(string path)
    {
        foreach (var marker in new[] { "/manifests/", "/blobs/" })
        {
            var at = path.IndexOf(marker, StringComparison.Ordinal);
            if (path.StartsWith("/v2/", StringComparison.Ordinal) && at > 4)
            {
                return path[4..at];
            }
        }

        return null;
    }
}
