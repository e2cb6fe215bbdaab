using System.Threading.Channels;

namespace NodeAgent.Runtime.Streaming.RemoteCommand;

/// <summary>The client's end of an exec or attach, whichever protocol (websocket, SPDY) carries it.</summary>
internal interface IRemoteCommandStreams
{
    /// <summary>What the client types; ends when it closes stdin. Null when stdin was not requested.</summary>
    Stream? Stdin { get; }

    Stream? Stdout { get; }

    /// <summary>Null for a terminal (the pty merges the outputs) or when not requested.</summary>
    Stream? Stderr { get; }

    ChannelReader<TerminalSize> Resizes { get; }

    /// <summary>Reports the outcome on the error stream and ends the session.</summary>
    Task FinishAsync(RemoteCommandOutcome outcome, CancellationToken cancellationToken);
}
