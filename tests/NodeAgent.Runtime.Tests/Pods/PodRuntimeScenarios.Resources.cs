using System.Net;
using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Runtime.Tests.Pods;

/// <summary>Limits, users, namespaces, host ports and log reopening: behaviour both runtimes share.</summary>
public abstract partial class PodRuntimeScenarios
{
    private const string ReadMemoryLimit = "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max";

    [Fact]
    public async Task A_pids_limit_stops_a_fork_loop()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("pids"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var request = PodConfigs.Container(target, sandboxId, sandbox, "forker", "/bin/sleep", "300");
            request.Config.Linux = new LinuxContainerConfig { Resources = new LinuxContainerResources { Unified = { ["pids.max"] = "20" } } };
            if (target.LimitsPidsThroughUnified)
            {
                var id = await StartAsync(request, deadline.Token);

                // The sleepers' output goes elsewhere so the exec returns without waiting for them;
                // busybox sh gives up at the first failed fork, so "launched" must never print.
                var result = await ExecAsync(id, deadline.Token, "/bin/sh", "-c", "for i in $(seq 50); do /bin/sleep 30 </dev/null >/dev/null 2>&1 & done; echo launched");

                Assert.DoesNotContain("launched", result.Stdout, StringComparison.Ordinal);
                Assert.NotEqual(0, result.ExitCode);
                Assert.True(
                    result.Stderr.Contains("fork", StringComparison.OrdinalIgnoreCase) || result.Stderr.Contains("Resource temporarily unavailable", StringComparison.Ordinal),
                    $"no fork failure reported: {result.Stderr}");
            }
            else
            {
                var refused = await Assert.ThrowsAsync<RpcException>(() => StartAsync(request, deadline.Token));
                Assert.Contains("cannot use unified on cgroup v1", refused.Status.Detail, StringComparison.Ordinal);
            }
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task Update_container_resources_changes_the_memory_limit_seen_inside()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("upd"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var request = PodConfigs.Container(target, sandboxId, sandbox, "upd", "/bin/sleep", "300");
            request.Config.Linux = new LinuxContainerConfig { Resources = new LinuxContainerResources { MemoryLimitInBytes = 64 * 1024 * 1024 } };
            var id = await StartAsync(request, deadline.Token);
            Assert.Equal((64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), (await ExecAsync(id, deadline.Token, "/bin/sh", "-c", ReadMemoryLimit)).Stdout.Trim());

            await Runtime.UpdateContainerResourcesAsync(
                new UpdateContainerResourcesRequest { ContainerId = id, Linux = new LinuxContainerResources { MemoryLimitInBytes = 96 * 1024 * 1024 } },
                cancellationToken: deadline.Token);

            Assert.Equal((96 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), (await ExecAsync(id, deadline.Token, "/bin/sh", "-c", ReadMemoryLimit)).Stdout.Trim());
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task A_user_named_in_the_security_context_is_resolved_from_the_image_passwd()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("user"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var request = PodConfigs.Container(target, sandboxId, sandbox, "nobody", "/bin/sleep", "300");
            request.Config.Linux = new LinuxContainerConfig { SecurityContext = new LinuxContainerSecurityContext { RunAsUsername = "nobody" } };
            var id = await StartAsync(request, deadline.Token);

            Assert.Equal("65534 65534", (await ExecAsync(id, deadline.Token, "/bin/sh", "-c", "echo $(id -u) $(id -g)")).Stdout.Trim());
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Theory]
    [InlineData(NamespaceMode.Pod, true)]
    [InlineData(NamespaceMode.Container, false)]
    public async Task Pid_namespace_mode_decides_whether_containers_see_each_other_s_processes(NamespaceMode mode, bool shared)
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name(mode == NamespaceMode.Pod ? "pidpod" : "pidctr"));
        sandbox.Linux.SecurityContext.NamespaceOptions.Pid = mode;
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var first = PodConfigs.Container(target, sandboxId, sandbox, "first", "/bin/sleep", "4321");
            var second = PodConfigs.Container(target, sandboxId, sandbox, "second", "/bin/sleep", "300");
            foreach (var request in new[] { first, second })
            {
                request.Config.Linux = new LinuxContainerConfig
                {
                    SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = new NamespaceOption { Pid = mode } },
                };
            }

            await StartAsync(first, deadline.Token);
            var secondId = await StartAsync(second, deadline.Token);

            // Every process's command line, as the second container's /proc shows them.
            var processes = (await ExecAsync(secondId, deadline.Token, "/bin/sh", "-c", "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done")).Stdout;
            Assert.Contains("sleep 300", processes, StringComparison.Ordinal);
            Assert.Equal(shared, processes.Contains("sleep 4321", StringComparison.Ordinal));
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task A_host_network_pod_sees_the_host_s_interfaces()
    {
        using var deadline = TestDeadline.Seconds(60);
        // An interface only the host has, named by the test so the leak check finds it if it stays.
        // (a bridge: this kernel has no dummy interfaces).
        var dummy = target.Prefix + "h";
        (await TestProcess.RunAsync("ip", ["link", "add", dummy, "type", "bridge"], deadline.Token)).EnsureSuccess();
        string? sandboxId = null;
        try
        {
            var sandbox = PodConfigs.Sandbox(target, Name("hostnet"));
            sandbox.Linux.SecurityContext.NamespaceOptions.Network = NamespaceMode.Node;
            sandbox.Hostname = string.Empty; // the host's UTS namespace comes with its network, as kubelet does it
            sandboxId = await RunAsync(sandbox, deadline.Token);
            var request = PodConfigs.Container(target, sandboxId, sandbox, "hostnet", "/bin/sleep", "300");
            request.Config.Linux = new LinuxContainerConfig
            {
                SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Node, Pid = NamespaceMode.Container } },
            };
            var id = await StartAsync(request, deadline.Token);

            var devices = (await ExecAsync(id, deadline.Token, "/bin/cat", "/proc/net/dev")).Stdout;

            // Names are right-aligned to six columns; longer ones start the line.
            Assert.Contains(devices.Split('\n'), line => line.TrimStart().StartsWith(dummy + ":", StringComparison.Ordinal));
        }
        finally
        {
            if (sandboxId is not null)
            {
                await RemoveAsync(sandboxId);
            }

            using var cleanup = TestDeadline.Seconds(10);
            (await TestProcess.RunAsync("ip", ["link", "del", dummy], cleanup.Token)).EnsureSuccess();
        }

        await LeakCheck.AssertCleanAsync(sandboxId!, deadline.Token);
    }

    [Fact]
    public async Task A_host_port_reaches_httpd_in_the_pod_from_loopback_and_the_bridge_gateway()
    {
        using var deadline = TestDeadline.Seconds(60);
        var hostPort = FreePort.Next();
        var sandbox = PodConfigs.Sandbox(target, Name("hostport"));
        sandbox.PortMappings.Add(new PortMapping { Protocol = Protocol.Tcp, ContainerPort = 8080, HostPort = hostPort });
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            await StartAsync(
                PodConfigs.Container(target, sandboxId, sandbox, "web", "/bin/sh", "-c", "mkdir -p /tmp/www && echo via-host-port > /tmp/www/index.html && exec /usr/sbin/httpd -f -p 8080 -h /tmp/www"),
                deadline.Token);
            var podIp = IPAddress.Parse((await Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId }, cancellationToken: deadline.Token)).Status.Network.Ip);
            await Eventually.UntilAsync(async ct => (await HttpGetAsync(podIp, 8080, ct)).Contains("via-host-port", StringComparison.Ordinal), "httpd to answer", deadline.Token);

            // host-local gives the bridge the subnet's first address.
            var gatewayBytes = target.PodSubnet.BaseAddress.GetAddressBytes();
            gatewayBytes[^1]++;
            Assert.Equal("via-host-port", (await HttpGetAsync(IPAddress.Loopback, hostPort, deadline.Token)).Trim());
            Assert.Equal("via-host-port", (await HttpGetAsync(new IPAddress(gatewayBytes), hostPort, deadline.Token)).Trim());
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task Reopen_container_log_starts_a_fresh_file_at_the_original_path_after_rotation()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("reopen"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var id = await StartAsync(
                PodConfigs.Container(target, sandboxId, sandbox, "talker", "/bin/sh", "-c", "i=0; while true; do echo line $i; i=$((i+1)); /bin/sleep 0.1; done"),
                deadline.Token);
            var log = Path.Combine(sandbox.LogDirectory, "talker", "0.log");
            await Eventually.UntilAsync(async ct => File.Exists(log) && (await File.ReadAllTextAsync(log, ct)).Contains("stdout F line", StringComparison.Ordinal), "first log lines", deadline.Token);

            var rotated = log + ".1";
            File.Move(log, rotated);
            await Runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = id }, cancellationToken: deadline.Token);

            var fresh = await Eventually.UntilAsync(
                async ct => File.Exists(log) && await File.ReadAllLinesAsync(log, ct) is { Length: > 0 } lines && lines.Any(l => l.Contains(" stdout F line ", StringComparison.Ordinal)) ? lines : null,
                "new output in a fresh file at the original path",
                deadline.Token);
            var old = await File.ReadAllLinesAsync(rotated, deadline.Token);
            Assert.Contains(old, l => l.EndsWith(" stdout F line 0", StringComparison.Ordinal));
            Assert.DoesNotContain(fresh, l => l.EndsWith(" stdout F line 0", StringComparison.Ordinal));
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }
}
