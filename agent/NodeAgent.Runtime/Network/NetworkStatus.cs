namespace NodeAgent.Runtime.Network;

/// <summary>The CRI NetworkReady condition: reason and message explain a not-ready network.</summary>
public sealed record NetworkStatus(bool Ready, string? Reason, string? Message)
{
    public static NetworkStatus ReadyStatus { get; } = new(true, null, null);
}
