using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Api;

/// <summary>How the node role runs. Every path derives from <see cref="NodeOptions"/> (the data dir) in production.</summary>
public sealed record NodeRoleOptions
{
    /// <summary>Node name, host IP and paths the pod core uses.</summary>
    public required NodeOptions Node { get; init; }

    /// <summary>The CRI runtime (ours or containerd): <c>unix:///run/nodeagent/cri.sock</c>.</summary>
    public required string CriEndpoint { get; init; }

    /// <summary>The data dir: its filesystem is the node's ephemeral-storage (nodefs).</summary>
    public required string DataDir { get; init; }

    /// <summary>This node's pod range (spec.podCIDR), e.g. 10.66.0.0/24.</summary>
    public string? PodCidr { get; init; }

    public IReadOnlyDictionary<string, string>? NodeLabels { get; init; }

    public string KubeletVersion { get; init; } = "v1.32.0";

    public long MaxPods { get; init; } = 110;

    public TimeSpan StatusUpdateFrequency { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An unchanged status is still written this often (kubelet: 5 min; the Lease carries liveness in between).</summary>
    public TimeSpan StatusReportFrequency { get; init; } = TimeSpan.FromMinutes(1);

    public int LeaseDurationSeconds { get; init; } = 40;

    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    public PodWorkersOptions Workers { get; init; } = new();

    /// <summary>CrashLoopBackOff timing; tests shorten it.</summary>
    public RestartBackoff? ContainerBackoff { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
