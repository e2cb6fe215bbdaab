using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

public sealed class NamespacesAndResourcesTests
{
    private static readonly SandboxNamespaces Pod = new("/run/netns/sb", 4242, SharePid: true);

    [Fact]
    public async Task Pod_mode_joins_the_infra_process_namespaces()
    {
        var namespaces = await NamespacesBuilder.BuildAsync(new NamespaceOption { Pid = NamespaceMode.Pod }, Pod, null, CancellationToken.None);
        Assert.Equal(
            [new("pid", "/proc/4242/ns/pid"), new("network", "/run/netns/sb"), new("uts", "/proc/4242/ns/uts"), new("ipc", "/proc/4242/ns/ipc"), new OciNamespace("mount")],
            namespaces);
    }

    [Fact]
    public async Task Node_modes_keep_the_host_namespaces()
    {
        var namespaces = await NamespacesBuilder.BuildAsync(
            new NamespaceOption { Network = NamespaceMode.Node, Pid = NamespaceMode.Node, Ipc = NamespaceMode.Node }, new SandboxNamespaces(null, 0, false), null, CancellationToken.None);
        Assert.Equal([new OciNamespace("mount")], namespaces);
    }

    [Fact]
    public async Task Target_pid_mode_uses_the_resolver_or_is_invalid_without_one()
    {
        var options = new NamespaceOption { Pid = NamespaceMode.Target, TargetId = "ctr-0" };
        var e = await Assert.ThrowsAsync<RuntimeException>(() => NamespacesBuilder.BuildAsync(options, Pod, null, CancellationToken.None));
        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);

        var namespaces = await NamespacesBuilder.BuildAsync(options, Pod, (id, _) => Task.FromResult<int?>(id == "ctr-0" ? 777 : null), CancellationToken.None);
        Assert.Equal(new OciNamespace("pid", "/proc/777/ns/pid"), namespaces[0]);

        var stopped = await Assert.ThrowsAsync<RuntimeException>(() => NamespacesBuilder.BuildAsync(options, Pod, (_, _) => Task.FromResult<int?>(null), CancellationToken.None));
        Assert.Equal(RuntimeErrorKind.FailedPrecondition, stopped.Kind);
    }

    [Fact]
    public async Task Joining_without_an_infra_process_is_a_failed_precondition()
    {
        var e = await Assert.ThrowsAsync<RuntimeException>(() => NamespacesBuilder.BuildAsync(new NamespaceOption(), new SandboxNamespaces("/run/netns/x", 0, true), null, CancellationToken.None));
        Assert.Equal(RuntimeErrorKind.FailedPrecondition, e.Kind);
    }

    [Fact]
    public void Unified_map_passes_through_on_v2_only_and_pids_max_becomes_pids_limit()
    {
        var resources = new LinuxContainerResources { Unified = { ["pids.max"] = "100", ["memory.high"] = "1000" } };
        var v1 = ResourcesBuilder.Build(resources, new FakeSpecHost());
        Assert.Equal(new OciPids(100), v1.Pids);
        Assert.Null(v1.Unified);

        var v2 = ResourcesBuilder.Build(resources, new FakeSpecHost { IsCgroupV2 = true });
        Assert.Equal(new OciPids(100), v2.Pids);
        Assert.Equal(new Dictionary<string, string> { ["memory.high"] = "1000" }, v2.Unified);

        Assert.Throws<RuntimeException>(() => ResourcesBuilder.Build(new LinuxContainerResources { Unified = { ["pids.max"] = "lots" } }, new FakeSpecHost()));
        Assert.Throws<RuntimeException>(() => ResourcesBuilder.Build(new LinuxContainerResources { Unified = { ["../x"] = "1" } }, new FakeSpecHost { IsCgroupV2 = true }));
    }

    [Fact]
    public void Memory_swap_defaults_to_the_limit_and_zero_values_are_left_out()
    {
        var resources = ResourcesBuilder.Build(new LinuxContainerResources { MemoryLimitInBytes = 1 << 20 }, new FakeSpecHost());
        Assert.Equal(new OciMemory { Limit = 1 << 20, Swap = 1 << 20 }, resources.Memory);
        Assert.Null(resources.Cpu);
        Assert.Null(ResourcesBuilder.Build(new LinuxContainerResources { MemoryLimitInBytes = 1 << 20 }, new FakeSpecHost { SwapLimitSupported = false }).Memory!.Swap);
    }

    [Fact]
    public void Devices_need_a_host_device_and_valid_permissions()
    {
        var host = new FakeSpecHost();
        Assert.Throws<RuntimeException>(() => DevicesBuilder.Build(new ContainerConfig { Devices = { new Device { HostPath = "/dev/nope" } } }, false, host));
        Assert.Throws<RuntimeException>(() => DevicesBuilder.Build(new ContainerConfig { Devices = { new Device { HostPath = "/dev/fuse", Permissions = "rx" } } }, false, host));
        var built = DevicesBuilder.Build(new ContainerConfig { Devices = { new Device { HostPath = "/dev/loop0", ContainerPath = "/dev/disk0", Permissions = "r" } } }, false, host);
        Assert.Equal("/dev/disk0", Assert.Single(built.Devices).Path);
        Assert.Equal(new OciDeviceCgroup(true, "b", 7, 0, "r"), built.Rules[^1]);
    }

    [Fact]
    public void Real_host_device_is_stat_ed()
    {
        var device = SpecHost.Instance.Device("/dev/null");
        Assert.Equal(("c", 1L, 3L), (device!.Type, device.Major, device.Minor));
        Assert.Null(SpecHost.Instance.Device("/etc/hostname"));
    }

    [Fact]
    public async Task Privileged_container_in_an_unprivileged_sandbox_is_invalid()
    {
        var config = SpecFixtures.Container();
        config.Linux.SecurityContext.Privileged = true;
        var e = await Assert.ThrowsAsync<RuntimeException>(() => ContainerSpecBuilder.BuildAsync(SpecFixtures.Input(config, SpecFixtures.Sandbox()), CancellationToken.None));
        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
    }
}
