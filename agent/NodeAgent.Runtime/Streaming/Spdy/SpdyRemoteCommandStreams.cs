using System.Threading.Channels;
using NodeAgent.Runtime.Streaming.RemoteCommand;

namespace NodeAgent.Runtime.Streaming.Spdy;

/// <summary>
/// Exec/attach over SPDY: the client opens one stream per kind, named by its <c>streamtype</c>
/// header (error, stdin, stdout, stderr, resize); each is acknowledged with SYN_REPLY. The session
/// starts once every stream the request needs exists, as the kubelet's server does.
/// </summary>
internal sealed class SpdyRemoteCommandStreams : IRemoteCommandStreams
{
    private readonly string _protocol;
    private readonly Channel<TerminalSize> _resizes = Channel.CreateUnbounded<TerminalSize>();
    private SpdyStream? _error;
    private SpdyStream? _resize;

    private SpdyRemoteCommandStreams(string protocol) => _protocol = protocol;

    public Stream? Stdin { get; private set; }

    public Stream? Stdout { get; private set; }

    public Stream? Stderr { get; private set; }

    public ChannelReader<TerminalSize> Resizes => _resizes.Reader;

    /// <summary>Waits for the streams <paramref name="options"/> needs (the error stream always, from v2 on).</summary>
    public static async Task<SpdyRemoteCommandStreams> AcceptAsync(SpdyConnection connection, string protocol, RemoteCommandOptions options, CancellationToken cancellationToken)
    {
        var streams = new SpdyRemoteCommandStreams(protocol);
        var expected = 1 + (options.Stdin ? 1 : 0) + (options.Stdout ? 1 : 0) + (options.Stderr && !options.Tty ? 1 : 0) + (options.Tty && protocol != RemoteCommandProtocol.V1 && protocol != RemoteCommandProtocol.V2 ? 1 : 0);
        var received = 0;
        while (received < expected && await connection.IncomingStreams.WaitToReadAsync(cancellationToken))
        {
            while (received < expected && connection.IncomingStreams.TryRead(out var stream))
            {
                await stream.ReplyAsync(cancellationToken);
                switch (stream.Header("streamtype"))
                {
                    case RemoteCommandProtocol.StreamError:
                        streams._error = stream;
                        break;
                    case RemoteCommandProtocol.StreamStdin:
                        streams.Stdin = stream.Input;
                        break;
                    case RemoteCommandProtocol.StreamStdout:
                        streams.Stdout = stream.AsWriteStream();
                        break;
                    case RemoteCommandProtocol.StreamStderr:
                        streams.Stderr = stream.AsWriteStream();
                        break;
                    case RemoteCommandProtocol.StreamResize:
                        streams._resize = stream;
                        break;
                    default:
                        throw new InvalidDataException($"unexpected SPDY stream type \"{stream.Header("streamtype")}\"");
                }

                received++;
            }
        }

        if (received < expected || streams._error is null)
        {
            throw new InvalidDataException($"the client opened {received} of the {expected} streams the request needs");
        }

        return streams;
    }

    /// <summary>Reads newline-separated JSON sizes from the resize stream until it ends.</summary>
    public async Task ReadResizesAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_resize is null)
            {
                return;
            }

            using var reader = new StreamReader(_resize.Input);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (RemoteCommandProtocol.ParseResize(System.Text.Encoding.UTF8.GetBytes(line)) is { } size)
                {
                    _resizes.Writer.TryWrite(size);
                }
            }
        }
        finally
        {
            _resizes.Writer.TryComplete();
        }
    }

    public async Task FinishAsync(RemoteCommandOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (var output in new[] { Stdout, Stderr })
        {
            if (output is not null)
            {
                await output.DisposeAsync(); // FIN, so the client's copy loops end before the status
            }
        }

        var status = outcome.Encode(_protocol);
        if (status.Length > 0)
        {
            await _error!.WriteAsync(status, cancellationToken);
        }

        await _error!.CloseWriteAsync(cancellationToken);
    }
}
