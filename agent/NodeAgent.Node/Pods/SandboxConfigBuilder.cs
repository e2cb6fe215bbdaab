using System.Globalization;
using k8s.Models;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Pods;

/// <summary>Turns a <see cref="V1Pod"/> into the CRI <see cref="PodSandboxConfig"/> kubelet would send.</summary>
public sealed class SandboxConfigBuilder(NodeOptions options)
{
    private const int MaxHostnameLength = 63;

    public PodSandboxConfig Build(V1Pod pod, uint attempt = 0)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var meta = pod.Metadata;
        var spec = pod.Spec;
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = meta.Name, Namespace = Namespace(pod), Uid = meta.Uid, Attempt = attempt },
            Hostname = Hostname(pod),
            LogDirectory = LogDirectory(pod),
            DnsConfig = Dns(pod),
            Linux = Linux(pod),
        };
        foreach (var (k, v) in meta.Labels ?? new Dictionary<string, string>())
        {
            config.Labels[k] = v;
        }

        config.Labels[PodLabels.PodName] = meta.Name;
        config.Labels[PodLabels.PodNamespace] = Namespace(pod);
        config.Labels[PodLabels.PodUid] = meta.Uid;
        foreach (var (k, v) in meta.Annotations ?? new Dictionary<string, string>())
        {
            config.Annotations[k] = v;
        }

        foreach (var container in spec.Containers ?? [])
        {
            foreach (var port in container.Ports ?? [])
            {
                if (port.HostPort is > 0)
                {
                    config.PortMappings.Add(new PortMapping
                    {
                        Protocol = port.Protocol?.ToUpperInvariant() switch { "UDP" => Protocol.Udp, "SCTP" => Protocol.Sctp, _ => Protocol.Tcp },
                        ContainerPort = port.ContainerPort,
                        HostPort = port.HostPort.Value,
                        HostIp = port.HostIP ?? string.Empty,
                    });
                }
            }
        }

        return config;
    }

    public static string Namespace(V1Pod pod) => string.IsNullOrEmpty(pod.Metadata.NamespaceProperty) ? "default" : pod.Metadata.NamespaceProperty;

    /// <summary><c>&lt;logs root&gt;/&lt;ns&gt;_&lt;name&gt;_&lt;uid&gt;</c>, kubelet's layout that log shippers rely on.</summary>
    public string LogDirectory(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return Path.Combine(options.PodLogsRoot, $"{Namespace(pod)}_{pod.Metadata.Name}_{pod.Metadata.Uid}");
    }

    /// <summary>cgroupfs parent by QoS class, like kubelet's cgroupfs driver.</summary>
    public string CgroupParent(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var root = "/" + options.CgroupRoot.Trim('/');
        var qos = QosClass.Of(pod) switch
        {
            QosClass.Guaranteed => "kubepods",
            QosClass.Burstable => "kubepods/burstable",
            _ => "kubepods/besteffort",
        };
        return Path.Combine(root, qos, "pod" + pod.Metadata.Uid);
    }

    private string Hostname(V1Pod pod)
    {
        var host = string.IsNullOrEmpty(pod.Spec.Hostname) ? pod.Metadata.Name : pod.Spec.Hostname;
        if (pod.Spec.SetHostnameAsFQDN == true && !string.IsNullOrEmpty(pod.Spec.Subdomain))
        {
            host = $"{host}.{pod.Spec.Subdomain}.{Namespace(pod)}.svc.{options.ClusterDomain}";
        }

        // Kernel hostnames are at most 64 bytes; kubelet truncates to 63 and drops trailing '-'/'.'.
        return host.Length <= MaxHostnameLength ? host : host[..MaxHostnameLength].TrimEnd('-', '.');
    }

    private DNSConfig Dns(V1Pod pod)
    {
        var policy = pod.Spec.DnsPolicy ?? "ClusterFirst";
        // ClusterFirst on a host-network pod means the host's resolver (only ClusterFirstWithHostNet opts in).
        if (policy == "ClusterFirst" && pod.Spec.HostNetwork == true)
        {
            policy = "Default";
        }

        var dns = new DNSConfig();
        if (policy is "ClusterFirst" or "ClusterFirstWithHostNet" && options.ClusterDns is not null)
        {
            var domain = options.ClusterDomain;
            dns.Servers.Add(options.ClusterDns);
            dns.Searches.Add($"{Namespace(pod)}.svc.{domain}");
            dns.Searches.Add($"svc.{domain}");
            dns.Searches.Add(domain);
            dns.Options.Add("ndots:5");
        }
        else if (policy != "None")
        {
            ReadHostResolvConf(dns);
        }

        var extra = pod.Spec.DnsConfig;
        if (extra is not null)
        {
            foreach (var server in extra.Nameservers ?? [])
            {
                if (!dns.Servers.Contains(server))
                {
                    dns.Servers.Add(server);
                }
            }

            foreach (var search in extra.Searches ?? [])
            {
                if (!dns.Searches.Contains(search))
                {
                    dns.Searches.Add(search);
                }
            }

            foreach (var option in extra.Options ?? [])
            {
                // A pod option replaces the same-named option from the policy (ndots:2 over ndots:5).
                var existing = dns.Options.FirstOrDefault(o => o.Split(':')[0] == option.Name);
                if (existing is not null)
                {
                    dns.Options.Remove(existing);
                }

                dns.Options.Add(option.Value is null ? option.Name : $"{option.Name}:{option.Value}");
            }
        }

        return dns;
    }

    private void ReadHostResolvConf(DNSConfig dns)
    {
        if (!File.Exists(options.HostResolvConf))
        {
            return;
        }

        foreach (var raw in File.ReadLines(options.HostResolvConf))
        {
            var fields = raw.Split('#')[0].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            switch (fields[0])
            {
                case "nameserver":
                    dns.Servers.Add(fields[1]);
                    break;
                case "search":
                    dns.Searches.Clear();
                    dns.Searches.Add(fields.Skip(1));
                    break;
                case "options":
                    dns.Options.Add(fields.Skip(1));
                    break;
            }
        }
    }

    private LinuxPodSandboxConfig Linux(V1Pod pod)
    {
        var spec = pod.Spec;
        var sc = spec.SecurityContext;
        var security = new LinuxSandboxSecurityContext
        {
            NamespaceOptions = new NamespaceOption
            {
                Network = spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
                Pid = spec.HostPID == true ? NamespaceMode.Node : spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
                Ipc = spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
            },
            Seccomp = Seccomp(sc?.SeccompProfile),
            // kubelet's HasPrivilegedContainer: a runtime refuses a privileged container in an unprivileged sandbox.
            Privileged = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).Any(c => c.SecurityContext?.Privileged == true)
                || (spec.EphemeralContainers ?? []).Any(c => c.SecurityContext?.Privileged == true),
        };
        if (sc?.RunAsUser is { } user)
        {
            security.RunAsUser = new Int64Value { Value = user };
        }

        if (sc?.RunAsGroup is { } group)
        {
            security.RunAsGroup = new Int64Value { Value = group };
        }

        security.SupplementalGroups.Add(SupplementalGroups(sc));
        var linux = new LinuxPodSandboxConfig { CgroupParent = CgroupParent(pod), SecurityContext = security };
        foreach (var sysctl in sc?.Sysctls ?? [])
        {
            linux.Sysctls[sysctl.Name] = sysctl.Value;
        }

        return linux;
    }

    /// <summary>supplementalGroups plus fsGroup, as kubelet passes them.</summary>
    internal static IEnumerable<long> SupplementalGroups(V1PodSecurityContext? sc)
    {
        var groups = (sc?.SupplementalGroups ?? []).Where(g => g.HasValue).Select(g => g!.Value).ToList();
        if (sc?.FsGroup is { } fsGroup && !groups.Contains(fsGroup))
        {
            groups.Add(fsGroup);
        }

        return groups;
    }

    /// <summary>Kubelet's default without a profile is Unconfined (the SeccompDefault gate off), so it is said explicitly: the proto default is RuntimeDefault.</summary>
    internal SecurityProfile Seccomp(V1SeccompProfile? profile) => profile?.Type switch
    {
        "RuntimeDefault" => new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault },
        "Localhost" => new SecurityProfile
        {
            ProfileType = SecurityProfile.Types.ProfileType.Localhost,
            LocalhostRef = Path.Combine(options.SeccompProfileRoot, profile.LocalhostProfile ?? string.Empty),
        },
        _ => new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Unconfined },
    };

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
