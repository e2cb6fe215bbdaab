namespace NodeAgent.Testing.Containerd;

/// <summary>
/// Everything one private containerd needs, all derived from a unique test prefix and a temp root,
/// so several instances can run beside each other and beside a real installation.
/// </summary>
public sealed record ContainerdSettings
{
    public required string Prefix { get; init; }

    /// <summary>Temp directory that holds root, state, sockets, CNI config and IPAM state.</summary>
    public required string BaseDirectory { get; init; }

    /// <summary>host:port of the test registry; it also mirrors docker.io, with no upstream fallback.</summary>
    public required string RegistryHost { get; init; }

    /// <summary>Image reference containerd uses for pod sandboxes (built from catatonit).</summary>
    public required string SandboxImage { get; init; }

    /// <summary>The pod subnet for this instance's bridge, e.g. 10.203.17.0/24.</summary>
    public required string PodSubnet { get; init; }

    public string BridgeName => Prefix + "b";

    public string NetworkName => Prefix + "-net";

    public string Root => Path.Combine(BaseDirectory, "root");

    public string State => Path.Combine(BaseDirectory, "state");

    public string Socket => Path.Combine(BaseDirectory, "containerd.sock");

    public string Endpoint => "unix://" + Socket;

    public string ConfigFile => Path.Combine(BaseDirectory, "config.toml");

    public string CniConfigDirectory => Path.Combine(BaseDirectory, "cni", "net.d");

    public string CniBinDirectory { get; init; } = "/usr/lib/cni";

    public string IpamDirectory => Path.Combine(BaseDirectory, "cni", "ipam");

    public string RegistryHostsDirectory => Path.Combine(BaseDirectory, "certs.d");

    public string RuncRoot => Path.Combine(BaseDirectory, "runc");

    public string LogFile => Path.Combine(BaseDirectory, "containerd.log");

    /// <summary>cgroup parent for test pods, so leak checks find their cgroups by prefix.</summary>
    public string CgroupParent => "/" + Prefix;

    public bool ContainsPodIp(string ip)
        => System.Net.IPAddress.TryParse(ip, out var address) && System.Net.IPNetwork.Parse(PodSubnet).Contains(address);
}
