using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Node.Eviction;
using NodeAgent.Node.Gc;
using NodeAgent.Node.Images;
using NodeAgent.Node.Logs;
using NodeAgent.Node.Pleg;
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

    /// <summary>The relisting pod lifecycle event generator (kubelet: every 1 s).</summary>
    public PlegOptions Pleg { get; init; } = new();

    /// <summary>Dead containers and orphaned pods (kubelet: every 1 min, one dead container per pod container).</summary>
    public ContainerGcOptions ContainerGc { get; init; } = new();

    /// <summary>Unused images once the image filesystem passes 85 % (kubelet: down to 80 %, none younger than 2 min).</summary>
    public ImageGcOptions ImageGc { get; init; } = new();

    /// <summary>How often the runtime's Status is asked (kubelet: 5 s).</summary>
    public TimeSpan RuntimeStatusInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A runtime without a good Status for this long is "container runtime is down" (kubelet: 30 s).</summary>
    public TimeSpan RuntimeDownThreshold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Node-pressure eviction: hard thresholds (kubelet's defaults or --eviction-hard), interval, transition period.</summary>
    public EvictionOptions Eviction { get; init; } = new();
    /// <summary>Container log rotation (kubelet: 10Mi, 5 files, checked every 10 s).</summary>
    public ContainerLogOptions ContainerLogs { get; init; } = new();

    /// <summary>CrashLoopBackOff timing; tests shorten it.</summary>
    public RestartBackoff? ContainerBackoff { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// The options <c>nodeagent server</c> uses: every path derived from the data dir (pods under
    /// <c>&lt;data&gt;/pods</c>, seccomp profiles under <c>&lt;data&gt;/seccomp</c>), pod logs where the caller says
    /// (DESIGN.md §6: /var/log/pods in production, a temp dir in tests).
    /// </summary>
    public static NodeRoleOptions ForServer(ServerNodeSettings settings, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new NodeRoleOptions
        {
            Node = new NodeOptions
            {
                NodeName = settings.NodeName,
                HostIP = settings.HostIP,
                PodsRoot = Path.Combine(settings.DataDir, "pods"),
                PodLogsRoot = settings.PodLogsRoot,
                SeccompProfileRoot = Path.Combine(settings.DataDir, "seccomp"),
                CgroupRoot = settings.CgroupRoot,
                ClusterDns = settings.ClusterDns,
                ClusterDomain = settings.ClusterDomain,
            },
            CriEndpoint = settings.CriEndpoint,
            DataDir = settings.DataDir,
            PodCidr = settings.PodCidr,
            KubeletVersion = settings.KubeletVersion,
            Eviction = settings.EvictionHard is { } hard ? new EvictionOptions { Hard = hard } : new EvictionOptions(),
            ContainerLogs = settings.ContainerLogs,
            LoggerFactory = loggerFactory,
        };
    }
}

/// <summary>What <c>nodeagent server</c> knows that the node role needs (from its flags, DESIGN.md §6a).</summary>
public sealed record ServerNodeSettings
{
    /// <summary>--node-name.</summary>
    public required string NodeName { get; init; }

    /// <summary>--container-runtime-endpoint, or the in-process runtime's socket under --run-dir.</summary>
    public required string CriEndpoint { get; init; }

    /// <summary>--data-dir.</summary>
    public required string DataDir { get; init; }

    /// <summary>This node's /24 of --pod-cidr (spec.podCIDR).</summary>
    public string? PodCidr { get; init; }

    /// <summary>The node's address: the API address when it is not a wildcard, else 127.0.0.1.</summary>
    public string HostIP { get; init; } = "127.0.0.1";

    public string PodLogsRoot { get; init; } = "/var/log/pods";

    /// <summary>The cgroup parent the runtime puts pods under (empty: the hierarchy root).</summary>
    public string CgroupRoot { get; init; } = string.Empty;

    public string? ClusterDns { get; init; }

    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>--eviction-hard (null: kubelet's defaults).</summary>
    public IReadOnlyList<EvictionThreshold>? EvictionHard { get; init; }
    /// <summary>--container-log-max-size and --container-log-max-files.</summary>
    public ContainerLogOptions ContainerLogs { get; init; } = new();

    /// <summary>What kubectl get nodes shows as VERSION (the server's version).</summary>
    public string KubeletVersion { get; init; } = "v1.32.0";
}
