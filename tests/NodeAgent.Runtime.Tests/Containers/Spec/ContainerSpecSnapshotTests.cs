using Newtonsoft.Json.Linq;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Oci.Spec;
using NodeAgent.Testing.Common;
using Snapshooter;
using Snapshooter.Xunit;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

/// <summary>The whole generated config.json for typical CRI requests; a diff in a snapshot is a behaviour change to review.</summary>
public sealed class ContainerSpecSnapshotTests
{
    [Fact]
    public async Task Plain_container()
    {
        var name = Snapshot.FullName();
        var spec = await ContainerSpecBuilder.BuildAsync(SpecFixtures.Input(SpecFixtures.Container(), SpecFixtures.Sandbox()), CancellationToken.None);
        Match(spec, name);
    }

    [Fact]
    public async Task Privileged_container()
    {
        var name = Snapshot.FullName();
        var config = SpecFixtures.Container();
        config.Linux.SecurityContext.Privileged = true;
        config.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault };
        var spec = await ContainerSpecBuilder.BuildAsync(SpecFixtures.Input(config, SpecFixtures.Sandbox(privileged: true)), CancellationToken.None);
        Match(spec, name);
    }

    [Fact]
    public async Task Host_network_container()
    {
        var name = Snapshot.FullName();
        var config = SpecFixtures.Container();
        config.Linux.SecurityContext.NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Node, Pid = NamespaceMode.Node, Ipc = NamespaceMode.Node };
        var spec = await ContainerSpecBuilder.BuildAsync(SpecFixtures.Input(config, SpecFixtures.Sandbox(hostNetwork: true)), CancellationToken.None);
        Match(spec, name);
    }

    [Fact]
    public async Task Readonly_rootfs_with_mounts_and_propagation()
    {
        var name = Snapshot.FullName();
        var config = SpecFixtures.Container();
        config.Linux.SecurityContext.ReadonlyRootfs = true;
        config.Mounts.Add(new Mount { ContainerPath = "/data/cache", HostPath = "/var/lib/kubelet/pods/0f1e2d3c/volumes/cache", Propagation = MountPropagation.PropagationHostToContainer });
        config.Mounts.Add(new Mount { ContainerPath = "/data", HostPath = "/srv/data", Readonly = true, RecursiveReadOnly = true });
        config.Mounts.Add(new Mount { ContainerPath = "/etc/hosts", HostPath = "/var/lib/kubelet/pods/0f1e2d3c/etc-hosts" });
        config.Mounts.Add(new Mount { ContainerPath = "/mnt/shared/", HostPath = "/mnt/shared", Propagation = MountPropagation.PropagationBidirectional, SelinuxRelabel = true });
        var spec = await ContainerSpecBuilder.BuildAsync(SpecFixtures.Input(config, SpecFixtures.Sandbox()), CancellationToken.None);
        Match(spec, name);
    }

    [Fact]
    public async Task Resources_and_devices()
    {
        var name = Snapshot.FullName();
        var config = SpecFixtures.Container();
        config.Linux.Resources = new LinuxContainerResources
        {
            CpuShares = 512,
            CpuQuota = 50000,
            CpuPeriod = 100000,
            CpusetCpus = "0-1",
            CpusetMems = "0",
            MemoryLimitInBytes = 256 * 1024 * 1024,
            OomScoreAdj = -997,
            HugepageLimits = { new HugepageLimit { PageSize = "2MB", Limit = 4 * 1024 * 1024 } },
            Unified = { ["pids.max"] = "64", ["memory.high"] = "200000000" },
        };
        config.Devices.Add(new Device { HostPath = "/dev/fuse", ContainerPath = "/dev/fuse", Permissions = "mrw" });
        var spec = await ContainerSpecBuilder.BuildAsync(SpecFixtures.Input(config, SpecFixtures.Sandbox()), CancellationToken.None);
        Match(spec, name);
    }

    [Fact]
    public async Task Capabilities_added_and_dropped()
    {
        var name = Snapshot.FullName();
        var config = SpecFixtures.Container();
        config.Linux.SecurityContext.Capabilities = new Capability
        {
            AddCapabilities = { "NET_ADMIN", "CAP_SYS_TIME" },
            DropCapabilities = { "ALL" },
            AddAmbientCapabilities = { "NET_BIND_SERVICE" },
        };
        config.Linux.SecurityContext.NoNewPrivs = true;
        config.Linux.SecurityContext.MaskedPaths.Add("/proc/kcore");
        config.Linux.SecurityContext.ReadonlyPaths.Add("/proc/sys");
        var spec = await ContainerSpecBuilder.BuildAsync(SpecFixtures.Input(config, SpecFixtures.Sandbox()), CancellationToken.None);
        Match(spec, name);
    }

    [Fact]
    public async Task User_by_name_with_groups_and_tty()
    {
        var name = Snapshot.FullName();
        using var temp = new TempDirectory(TestIds.NewPrefix());
        var rootfs = SpecFixtures.WriteRootfs(temp.Combine("rootfs"), SpecFixtures.Passwd, SpecFixtures.Group);
        var config = SpecFixtures.Container();
        config.Tty = true;
        config.Stdin = true;
        config.Command.Add("/bin/httpd");
        config.Args.AddRange(["-f", "-p", "80"]);
        config.WorkingDir = "/var/www";
        config.Linux.SecurityContext.RunAsUsername = "www";
        config.Linux.SecurityContext.SupplementalGroups.Add(5000);
        var spec = await ContainerSpecBuilder.BuildAsync(SpecFixtures.Input(config, SpecFixtures.Sandbox(), rootfs), CancellationToken.None);
        Match(spec, name, rootfs);
    }

    [Fact]
    public void Sandbox_with_pod_network_and_shared_pid()
    {
        var name = Snapshot.FullName();
        var config = SpecFixtures.Sandbox();
        config.Linux.SecurityContext.NamespaceOptions.Pid = NamespaceMode.Pod;
        config.Linux.Sysctls.Add("net.ipv4.ip_unprivileged_port_start", "0");
        config.Linux.Sysctls.Add("kernel/shm_rmid_forced", "1");
        var spec = SandboxSpecBuilder.Build(new SandboxSpecInput(
            "sb-1", config, "/var/lib/nodeagent/sandboxes/sb-1/rootfs", "/usr/bin/catatonit", "/run/netns/nodeagent-sb-1", "/kubepods/besteffort/pod0f1e2d3c/sb-1"));
        Match(spec, name);
    }

    [Fact]
    public void Sandbox_on_host_network()
    {
        var name = Snapshot.FullName();
        var spec = SandboxSpecBuilder.Build(new SandboxSpecInput(
            "sb-2", SpecFixtures.Sandbox(hostNetwork: true), "/var/lib/nodeagent/sandboxes/sb-2/rootfs", "/usr/bin/catatonit", null, "/nodeagent/sb-2/sb-2"));
        Match(spec, name);
    }

    private static void Match(RuntimeSpec spec, SnapshotFullName name, string? rootfs = null)
        => Snapshot.Match(JToken.Parse(SpecFixtures.Json(spec, rootfs)), name);
}
