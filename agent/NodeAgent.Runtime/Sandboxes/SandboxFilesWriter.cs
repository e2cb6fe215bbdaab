using System.Text;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Sandboxes;

/// <summary>The files every container of a pod shares: /etc/hosts, /etc/resolv.conf, /etc/hostname and a /dev/shm tmpfs.</summary>
public sealed class SandboxFilesWriter(IMounter mounter)
{
    private const string HostResolvConf = "/etc/resolv.conf";
    private const string HostHosts = "/etc/hosts";

    public static string HostsPath(string directory) => Path.Combine(directory, "hosts");

    public static string ResolvConfPath(string directory) => Path.Combine(directory, "resolv.conf");

    public static string HostnamePath(string directory) => Path.Combine(directory, "hostname");

    public static async Task WriteAsync(string directory, PodSandboxConfig config, bool hostNetwork, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(directory);
        var hostname = string.IsNullOrEmpty(config.Hostname) ? Environment.MachineName : config.Hostname;
        await File.WriteAllTextAsync(HostnamePath(directory), hostname + "\n", cancellationToken);
        await File.WriteAllTextAsync(ResolvConfPath(directory), await ResolvConfAsync(config.DnsConfig, cancellationToken), cancellationToken);
        var hosts = hostNetwork && File.Exists(HostHosts) ? await File.ReadAllTextAsync(HostHosts, cancellationToken) : DefaultHosts;
        await File.WriteAllTextAsync(HostsPath(directory), hosts, cancellationToken);
    }

    /// <summary>Mounts a private tmpfs for the pod's /dev/shm (64 MiB, as Docker and containerd default).</summary>
    public async Task MountShmAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(path);
        await mounter.MountAsync(new MountSpec("tmpfs", "shm", ["nosuid", "nodev", "noexec", "mode=1777", "size=65536k"]), path, cancellationToken);
    }

    public Task UnmountShmAsync(string path, CancellationToken cancellationToken) => mounter.UnmountAsync(path, cancellationToken);

    /// <summary>The CRI DNS config when one is given, else the host's resolv.conf (what containerd and CRI-O do).</summary>
    internal static async Task<string> ResolvConfAsync(DNSConfig? dns, CancellationToken cancellationToken)
    {
        if (dns is null || (dns.Servers.Count == 0 && dns.Searches.Count == 0 && dns.Options.Count == 0))
        {
            return File.Exists(HostResolvConf) ? await File.ReadAllTextAsync(HostResolvConf, cancellationToken) : string.Empty;
        }

        var text = new StringBuilder();
        if (dns.Searches.Count > 0)
        {
            text.Append("search ").AppendJoin(' ', dns.Searches).Append('\n');
        }

        foreach (var server in dns.Servers)
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }

        if (dns.Options.Count > 0)
        {
            text.Append("options ").AppendJoin(' ', dns.Options).Append('\n');
        }

        return text.ToString();
    }

    private const string DefaultHosts =
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";
}
