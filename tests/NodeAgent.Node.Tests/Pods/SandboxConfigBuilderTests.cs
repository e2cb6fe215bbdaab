using k8s.Models;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Tests.Pods;

public class SandboxConfigBuilderTests
{
    private static readonly NodeOptions Options = new() { PodLogsRoot = "/logs", CgroupRoot = "/test", ClusterDns = "10.67.0.10", HostResolvConf = "/nonexistent" };

    [Fact]
    public void Metadata_hostname_log_directory_and_labels_follow_kubelet()
    {
        var pod = TestPods.Pod("web", TestPods.Container("c", "busybox"));
        pod.Metadata.Labels = new Dictionary<string, string> { ["app"] = "web" };
        pod.Metadata.Annotations = new Dictionary<string, string> { ["note"] = "x" };
        pod.Spec.Hostname = "h1";
        pod.Spec.Subdomain = "sub";
        pod.Spec.SetHostnameAsFQDN = true;

        var config = new SandboxConfigBuilder(Options).Build(pod, attempt: 2);

        Assert.Equal("web", config.Metadata.Name);
        Assert.Equal("default", config.Metadata.Namespace);
        Assert.Equal(pod.Metadata.Uid, config.Metadata.Uid);
        Assert.Equal(2u, config.Metadata.Attempt);
        Assert.Equal("h1.sub.default.svc.cluster.local", config.Hostname);
        Assert.Equal($"/logs/default_web_{pod.Metadata.Uid}", config.LogDirectory);
        Assert.Equal("web", config.Labels["app"]);
        Assert.Equal("web", config.Labels[PodLabels.PodName]);
        Assert.Equal(pod.Metadata.Uid, config.Labels[PodLabels.PodUid]);
        Assert.Equal("x", config.Annotations["note"]);
    }

    [Fact]
    public void ClusterFirst_dns_uses_the_cluster_server_and_search_path_and_dnsConfig_merges()
    {
        var pod = TestPods.Pod("dns", TestPods.Container("c", "busybox"));
        pod.Metadata.NamespaceProperty = "team";
        pod.Spec.DnsConfig = new V1PodDNSConfig { Nameservers = ["1.1.1.1"], Searches = ["example.org"], Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }] };

        var dns = new SandboxConfigBuilder(Options).Build(pod).DnsConfig;

        Assert.Equal(["10.67.0.10", "1.1.1.1"], dns.Servers);
        Assert.Equal(["team.svc.cluster.local", "svc.cluster.local", "cluster.local", "example.org"], dns.Searches);
        Assert.Equal(["ndots:2"], dns.Options);
    }

    [Fact]
    public void Default_dns_policy_copies_the_host_resolv_conf()
    {
        var resolv = Path.GetTempFileName();
        try
        {
            File.WriteAllText(resolv, "# comment\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n");
            var pod = TestPods.Pod("dns", TestPods.Container("c", "busybox"));
            pod.Spec.DnsPolicy = "Default";

            var dns = new SandboxConfigBuilder(Options with { HostResolvConf = resolv }).Build(pod).DnsConfig;

            Assert.Equal(["192.0.2.53"], dns.Servers);
            Assert.Equal(["corp.example"], dns.Searches);
            Assert.Equal(["edns0"], dns.Options);
        }
        finally
        {
            File.Delete(resolv);
        }
    }

    [Theory]
    [InlineData(null, null, "/test/kubepods/besteffort/pod")]
    [InlineData("100m", null, "/test/kubepods/burstable/pod")]
    [InlineData("100m", "100m", "/test/kubepods/pod")]
    public void Cgroup_parent_follows_the_qos_class(string? request, string? limit, string prefix)
    {
        var container = TestPods.Container("c", "busybox");
        container.Resources = new V1ResourceRequirements
        {
            Requests = request is null ? null : TestPods.Resources(cpu: request, memory: "64Mi"),
            Limits = limit is null ? null : TestPods.Resources(cpu: limit, memory: "64Mi"),
        };
        var pod = TestPods.Pod("qos", container);

        Assert.Equal(prefix + pod.Metadata.Uid, new SandboxConfigBuilder(Options).Build(pod).Linux.CgroupParent);
    }

    [Fact]
    public void Namespaces_ports_sysctls_and_pod_security_context_are_translated()
    {
        var container = TestPods.Container("c", "busybox");
        container.Ports = [new V1ContainerPort { ContainerPort = 80, HostPort = 8080, Protocol = "TCP" }, new V1ContainerPort { ContainerPort = 53, HostPort = 5353, Protocol = "UDP", HostIP = "127.0.0.1" }, new V1ContainerPort { ContainerPort = 9090 }];
        var pod = TestPods.Pod("sec", container);
        pod.Spec.ShareProcessNamespace = true;
        pod.Spec.HostIPC = true;
        pod.Spec.SecurityContext = new V1PodSecurityContext
        {
            RunAsUser = 1000,
            RunAsGroup = 2000,
            SupplementalGroups = [3000],
            FsGroup = 4000,
            Sysctls = [new V1Sysctl { Name = "net.ipv4.ip_unprivileged_port_start", Value = "0" }],
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        };

        var config = new SandboxConfigBuilder(Options).Build(pod);
        var sc = config.Linux.SecurityContext;

        Assert.Equal(NamespaceMode.Pod, sc.NamespaceOptions.Network);
        Assert.Equal(NamespaceMode.Pod, sc.NamespaceOptions.Pid);
        Assert.Equal(NamespaceMode.Node, sc.NamespaceOptions.Ipc);
        Assert.Equal(1000, sc.RunAsUser.Value);
        Assert.Equal(2000, sc.RunAsGroup.Value);
        Assert.Equal([3000L, 4000L], sc.SupplementalGroups);
        Assert.Equal(SecurityProfile.Types.ProfileType.RuntimeDefault, sc.Seccomp.ProfileType);
        Assert.Equal("0", config.Linux.Sysctls["net.ipv4.ip_unprivileged_port_start"]);
        Assert.Equal(2, config.PortMappings.Count);
        Assert.Equal(new PortMapping { Protocol = Protocol.Udp, ContainerPort = 53, HostPort = 5353, HostIp = "127.0.0.1" }, config.PortMappings[1]);
    }

    [Fact]
    public void Host_network_pod_gets_node_network_and_the_host_resolver_and_no_seccomp_means_unconfined()
    {
        var pod = TestPods.Pod("hn", TestPods.Container("c", "busybox"));
        pod.Spec.HostNetwork = true;
        pod.Spec.HostPID = true;

        var config = new SandboxConfigBuilder(Options).Build(pod);

        Assert.Equal(NamespaceMode.Node, config.Linux.SecurityContext.NamespaceOptions.Network);
        Assert.Equal(NamespaceMode.Node, config.Linux.SecurityContext.NamespaceOptions.Pid);
        Assert.Empty(config.DnsConfig.Servers);
        Assert.Equal(SecurityProfile.Types.ProfileType.Unconfined, config.Linux.SecurityContext.Seccomp.ProfileType);
    }
}
