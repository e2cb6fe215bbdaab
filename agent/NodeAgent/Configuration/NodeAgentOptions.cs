using System.Net;

namespace NodeAgent.Configuration;

/// <summary>The validated configuration every subcommand starts from. Paths are absolute.</summary>
public sealed record NodeAgentOptions
{
    public string? ConfigFile { get; init; }

    public required string DataDir { get; init; }

    public required string RunDir { get; init; }

    public required IPAddress ApiAddress { get; init; }

    public required int ApiPort { get; init; }

    public required string Kubeconfig { get; init; }

    public required string NodeName { get; init; }

    public required string Bridge { get; init; }

    public required IPNetwork PodCidr { get; init; }

    public required IPNetwork ServiceCidr { get; init; }

    public required IReadOnlyList<string> InsecureRegistries { get; init; }

    public required string RegistryConfig { get; init; }

    /// <summary>The OCI runtime binary (runc by default; crun refuses hybrid cgroup v1 hosts like this one).</summary>
    public required string OciRuntime { get; init; }

    /// <summary>Where the built-in runtime finds the CNI plugins (kubelet's and containerd's <c>--cni-bin-dir</c>).</summary>
    public required string CniBinDir { get; init; }

    public required int MetricsPort { get; init; }

    /// <summary><c>sqlite</c> or one or more comma-separated etcd URLs.</summary>
    public required string DatastoreEndpoint { get; init; }

    /// <summary>Null means the built-in runtime.</summary>
    public string? ContainerRuntimeEndpoint { get; init; }

    public required string Listen { get; init; }

    /// <summary>--eviction-hard: the node's hard eviction thresholds (kubelet's defaults unless given).</summary>
    public IReadOnlyList<NodeAgent.Node.Eviction.EvictionThreshold> EvictionHard { get; init; } = NodeAgent.Node.Eviction.EvictionThreshold.ParseList(NodeAgent.Node.Eviction.EvictionThreshold.DefaultHard);
    /// <summary>--container-log-max-size as given (e.g. 10Mi), and in bytes.</summary>
    public required string ContainerLogMaxSize { get; init; }

    public required long ContainerLogMaxSizeBytes { get; init; }

    public required int ContainerLogMaxFiles { get; init; }

    /// <summary>
    /// kubelet's containerLogMonitorInterval (10 s). Not a flag: kubelet has none for it either; tests shorten it through
    /// <see cref="TestContainerLogMonitorPeriodVariable"/>.
    /// </summary>
    public TimeSpan ContainerLogMonitorPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Test-only: seconds between container log checks, for rotation tests that cannot wait 10 s a round.</summary>
    public const string TestContainerLogMonitorPeriodVariable = "NODEAGENT_TEST_CONTAINER_LOG_MONITOR_PERIOD";
}
