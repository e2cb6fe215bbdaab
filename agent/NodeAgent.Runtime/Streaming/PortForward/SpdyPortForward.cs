using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Streaming.Spdy;

namespace NodeAgent.Runtime.Streaming.PortForward;

/// <summary>
/// Port-forward over SPDY (<c>portforward.k8s.io</c>): for each connection the client opens an error
/// stream and a data stream with the same <c>requestid</c> and a <c>port</c> header; the pair is
/// forwarded once both exist. Many connections share one SPDY session.
/// </summary>
internal static class SpdyPortForward
{
    public const string Protocol = "portforward.k8s.io";

    public static async Task RunAsync(SpdyConnection connection, PodPortForwarder forwarder, string sandboxId, IReadOnlyCollection<int> allowedPorts, CancellationToken cancellationToken)
    {
        var pending = new ConcurrentDictionary<string, (SpdyStream? Data, SpdyStream? Error)>();
        var forwards = new List<Task>();
        await foreach (var stream in connection.IncomingStreams.ReadAllAsync(cancellationToken))
        {
            await stream.ReplyAsync(cancellationToken);
            var requestId = stream.Header("requestid");
            var pair = pending.GetOrAdd(requestId, _ => (null, null));
            pair = stream.Header("streamtype") == "data" ? pair with { Data = stream } : pair with { Error = stream };
            pending[requestId] = pair;
            if (pair is { Data: { } data, Error: { } error })
            {
                pending.TryRemove(requestId, out _);
                forwards.Add(ForwardOneAsync(forwarder, sandboxId, allowedPorts, data, error, cancellationToken));
            }
        }

        await Task.WhenAll(forwards);
    }

    private static async Task ForwardOneAsync(PodPortForwarder forwarder, string sandboxId, IReadOnlyCollection<int> allowedPorts, SpdyStream data, SpdyStream error, CancellationToken cancellationToken)
    {
        try
        {
            if (!int.TryParse(data.Header("port"), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"invalid port \"{data.Header("port")}\"");
            }

            if (allowedPorts.Count > 0 && !allowedPorts.Contains(port))
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"port {port} was not requested");
            }

            await using var toClient = data.AsWriteStream();
            await forwarder.ForwardAsync(sandboxId, port, data.Input, toClient, cancellationToken);
        }
        catch (RuntimeException e)
        {
            await error.WriteAsync(Encoding.UTF8.GetBytes(e.Message), cancellationToken);
            await data.CloseWriteAsync(cancellationToken);
        }
        finally
        {
            await error.CloseWriteAsync(cancellationToken);
        }
    }
}
