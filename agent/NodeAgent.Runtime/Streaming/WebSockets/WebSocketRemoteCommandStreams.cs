using System.IO.Pipelines;
using System.Threading.Channels;
using NodeAgent.Runtime.Streaming.RemoteCommand;

namespace NodeAgent.Runtime.Streaming.WebSockets;

/// <summary>Exec/attach over <c>v4/v5.channel.k8s.io</c>: 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize, 255 close (v5).</summary>
internal sealed class WebSocketRemoteCommandStreams : IRemoteCommandStreams
{
    private readonly WebSocketChannels _channels;
    private readonly string _protocol;
    private readonly Pipe _stdin = new();
    private readonly Channel<TerminalSize> _resizes = Channel.CreateUnbounded<TerminalSize>();
    private int _stdinClosed;

    public WebSocketRemoteCommandStreams(WebSocketChannels channels, string protocol, RemoteCommandOptions options)
    {
        _channels = channels;
        _protocol = protocol;
        Stdin = options.Stdin ? _stdin.Reader.AsStream() : null;
        Stdout = options.Stdout ? channels.OutputStream(RemoteCommandProtocol.StdoutChannel) : null;
        Stderr = options.Stderr && !options.Tty ? channels.OutputStream(RemoteCommandProtocol.StderrChannel) : null;
    }

    public Stream? Stdin { get; }

    public Stream? Stdout { get; }

    public Stream? Stderr { get; }

    public ChannelReader<TerminalSize> Resizes => _resizes.Reader;

    /// <summary>Routes client messages until the socket closes; then stdin ends.</summary>
    public async Task ReadClientAsync(CancellationToken cancellationToken)
    {
        await _channels.ReadAsync(
            async (channel, data) =>
            {
                switch (channel)
                {
                    case RemoteCommandProtocol.StdinChannel when Volatile.Read(ref _stdinClosed) == 0:
                        await _stdin.Writer.WriteAsync(data, cancellationToken);
                        break;
                    case RemoteCommandProtocol.ResizeChannel when RemoteCommandProtocol.ParseResize(data.Span) is { } size:
                        _resizes.Writer.TryWrite(size);
                        break;
                    case RemoteCommandProtocol.CloseChannel when _protocol == RemoteCommandProtocol.V5 && data.Length > 0 && data.Span[0] == RemoteCommandProtocol.StdinChannel:
                        CloseStdin();
                        break;
                }
            },
            cancellationToken);
        CloseStdin();
        _resizes.Writer.TryComplete();
    }

    public async Task FinishAsync(RemoteCommandOutcome outcome, CancellationToken cancellationToken)
    {
        var status = outcome.Encode(_protocol);
        if (status.Length > 0)
        {
            await _channels.SendAsync(RemoteCommandProtocol.ErrorChannel, status, cancellationToken);
        }

        await _channels.CloseAsync(cancellationToken);
    }

    private void CloseStdin()
    {
        if (Interlocked.Exchange(ref _stdinClosed, 1) == 0)
        {
            _stdin.Writer.Complete();
        }
    }
}
