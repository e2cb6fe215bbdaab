namespace NodeAgent.Runtime.Streaming.RemoteCommand;

/// <summary>Which streams an exec/attach request asked for (from the CRI request the token stands for).</summary>
internal sealed record RemoteCommandOptions(bool Stdin, bool Stdout, bool Stderr, bool Tty);
