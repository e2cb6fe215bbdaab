namespace NodeAgent.Runtime;

/// <summary>What the CRI runtime is started with (validated by the CLI's configuration layer).</summary>
public sealed record RuntimeOptions
{
    public required string DataDir { get; init; }

    public required string RunDir { get; init; }

    /// <summary>Socket path the CRI server listens on (without the unix:// scheme).</summary>
    public string? ListenSocket { get; init; }

    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>registries.yaml (k3s format); a missing file at the default location means "no mirrors".</summary>
    public string? RegistryConfig { get; init; }

    public string Version { get; init; } = "0.0.0";

    /// <summary>The Linux bridge pods attach to (DESIGN.md §3: na0).</summary>
    public string BridgeName { get; init; } = "na0";

    /// <summary>The range pod IPs come from (host-local IPAM).</summary>
    public string PodCidr { get; init; } = "10.66.0.0/16";

    /// <summary>The OCI runtime binary (runc; crun is selectable but refuses this machine's hybrid cgroups).</summary>
    public string OciRuntimePath { get; init; } = "/usr/sbin/runc";

    /// <summary>The CNI plugin binaries (bridge, host-local, portmap); missing ones make the runtime report NetworkReady=false.</summary>
    public string CniBinDirectory { get; init; } = "/usr/lib/cni";

    /// <summary>The streaming server for Exec/Attach/PortForward URLs (loopback, a free port by default).</summary>
    public Streaming.StreamingOptions Streaming { get; init; } = new();

    public RuntimePaths Paths => new(DataDir, RunDir);
}
