namespace NodeAgent.Configuration;

/// <summary>The catalog of every setting (DESIGN.md §6 and §6a) and which subcommand reads it.</summary>
public static class ConfigKeys
{
    public const string DefaultConfigFile = "/etc/nodeagent/config.yaml";

    public static readonly ConfigKey Config = new("config", ConfigValueKind.Path, "YAML configuration file", DefaultConfigFile);
    public static readonly ConfigKey DataDir = new("data-dir", ConfigValueKind.Path, "State directory; every other path derives from it", "/var/lib/nodeagent");
    public static readonly ConfigKey RunDir = new("run-dir", ConfigValueKind.Path, "Runtime directory for sockets and pid files", "/run/nodeagent");
    public static readonly ConfigKey ApiAddress = new("api-address", ConfigValueKind.IpAddress, "Address the API server listens on", "127.0.0.1");
    public static readonly ConfigKey ApiPort = new("api-port", ConfigValueKind.Port, "HTTPS port of the API server", "6443");
    public static readonly ConfigKey Kubeconfig = new("kubeconfig", ConfigValueKind.Path, "Where the admin kubeconfig is written (0600)", "/etc/nodeagent/admin.kubeconfig");
    public static readonly ConfigKey NodeName = new("node-name", ConfigValueKind.Text, "Name this node registers as (default: the host name)");
    public static readonly ConfigKey Bridge = new("bridge", ConfigValueKind.Text, "Linux bridge that pod veths attach to", "na0");
    public static readonly ConfigKey PodCidr = new("pod-cidr", ConfigValueKind.Cidr, "Cluster pod network", "10.66.0.0/16");
    public static readonly ConfigKey ServiceCidr = new("service-cidr", ConfigValueKind.Cidr, "Cluster IP range for Services", "10.67.0.0/16");
    public static readonly ConfigKey InsecureRegistry = new("insecure-registry", ConfigValueKind.HostPort, "Registry reached over plain HTTP (repeatable)", IsList: true);
    public static readonly ConfigKey RegistryConfig = new("registry-config", ConfigValueKind.Path, "registries.yaml with mirrors, auth and TLS per registry", "/etc/nodeagent/registries.yaml");
    public static readonly ConfigKey MetricsPort = new("metrics-port", ConfigValueKind.Port, "Port of the Prometheus metrics endpoint", "10249");
    public static readonly ConfigKey DatastoreEndpoint = new("datastore-endpoint", ConfigValueKind.DatastoreEndpoint, "State store: embedded sqlite or an etcd URL", "sqlite");
    public static readonly ConfigKey ContainerRuntimeEndpoint = new("container-runtime-endpoint", ConfigValueKind.UnixEndpoint, "CRI runtime socket the node role talks to (default: the built-in runtime)");
    public static readonly ConfigKey OciRuntime = new("oci-runtime", ConfigValueKind.Path, "OCI runtime binary: runc, or crun where the host's cgroups allow it", "/usr/sbin/runc");
    public static readonly ConfigKey CniBinDir = new("cni-bin-dir", ConfigValueKind.Path, "Directory of the CNI plugin binaries the built-in runtime runs (bridge, host-local, portmap; kubelet's and containerd's name)", "/usr/lib/cni");
    public static readonly ConfigKey EvictionHard = new("eviction-hard", ConfigValueKind.Text, "Hard eviction thresholds, kubelet's syntax (memory.available<100Mi,nodefs.available<10%)", NodeAgent.Node.Eviction.EvictionThreshold.DefaultHard);
    public static readonly ConfigKey ContainerLogMaxSize = new("container-log-max-size", ConfigValueKind.Quantity, "Size at which a container's log file is rotated, e.g. 10Mi (kubelet's containerLogMaxSize)", "10Mi");
    public static readonly ConfigKey ContainerLogMaxFiles = new("container-log-max-files", ConfigValueKind.Count, "Log files kept per container, the current one included; at least 2 (kubelet's containerLogMaxFiles)", "5");
    public static readonly ConfigKey Listen = new("listen", ConfigValueKind.UnixEndpoint, "Socket the CRI runtime serves on", "unix:///run/nodeagent/cri.sock");

    /// <summary>Every key any command knows; a config file may hold any of them.</summary>
    public static readonly IReadOnlyList<ConfigKey> All =
    [
        Config, DataDir, RunDir, ApiAddress, ApiPort, Kubeconfig, NodeName, Bridge, PodCidr, ServiceCidr,
        InsecureRegistry, RegistryConfig, MetricsPort, DatastoreEndpoint, ContainerRuntimeEndpoint, Listen, OciRuntime, CniBinDir, EvictionHard,
        ContainerLogMaxSize, ContainerLogMaxFiles,
    ];

    public static readonly IReadOnlyList<ConfigKey> Server =
    [
        Config, DataDir, RunDir, ApiAddress, ApiPort, Kubeconfig, NodeName, Bridge, PodCidr, ServiceCidr,
        InsecureRegistry, RegistryConfig, MetricsPort, DatastoreEndpoint, ContainerRuntimeEndpoint, OciRuntime, CniBinDir, EvictionHard,
        ContainerLogMaxSize, ContainerLogMaxFiles,
    ];

    public static readonly IReadOnlyList<ConfigKey> Cri =
    [
        Config, Listen, DataDir, RunDir, Bridge, PodCidr, InsecureRegistry, RegistryConfig, OciRuntime, CniBinDir,
    ];

    public static readonly IReadOnlyList<ConfigKey> Images =
    [
        Config, DataDir, RunDir, InsecureRegistry, RegistryConfig,
    ];

    public static readonly IReadOnlyList<ConfigKey> KubeconfigCommand = [Config, DataDir, Kubeconfig, ApiAddress, ApiPort];

    public static ConfigKey? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
