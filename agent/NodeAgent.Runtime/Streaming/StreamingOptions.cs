using System.Net;

namespace NodeAgent.Runtime.Streaming;

/// <summary>Where the streaming server (exec, attach, port-forward URLs) listens and what it runs.</summary>
public sealed record StreamingOptions
{
    /// <summary>Loopback by default: the URLs are for a kubelet or crictl on this node.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port at start (containerd and CRI-O do the same).</summary>
    public int Port { get; init; }

    /// <summary>How long a URL stays usable; each token works once.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Cap on outstanding tokens, so unused URLs cannot grow memory without bound.</summary>
    public int MaxPendingTokens { get; init; } = 1000;

    public string NsenterPath { get; init; } = "/usr/bin/nsenter";

    public string BusyboxPath { get; init; } = "/bin/busybox";
}
