using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Runtime.Tests.Pods;

/// <summary>
/// Pod and container scenarios through the CRI client, one suite for every runtime (ours and
/// containerd). Each test has its own deadline, removes what it made, and checks that nothing
/// carrying its sandbox ids is left on the host.
/// </summary>
public abstract partial class PodRuntimeScenarios(IPodRuntimeTarget target)
{
    protected RuntimeService.RuntimeServiceClient Runtime => target.Client.Runtime;

    [Fact]
    public async Task Sandbox_gets_an_address_from_the_pod_subnet_and_stop_then_remove_leaves_nothing()
    {
        using var deadline = TestDeadline.Seconds(60);
        var config = PodConfigs.Sandbox(target, Name("sb"));

        var id = (await Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, cancellationToken: deadline.Token)).PodSandboxId;
        try
        {
            var status = (await Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id }, cancellationToken: deadline.Token)).Status;
            Assert.Equal(PodSandboxState.SandboxReady, status.State);
            Assert.True(target.PodSubnet.Contains(IPAddress.Parse(status.Network.Ip)), $"{status.Network.Ip} is outside {target.PodSubnet}");
            Assert.Equal(config.Metadata.Name, status.Metadata.Name);

            var listed = await Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { LabelSelector = { ["app"] = config.Metadata.Name } } }, cancellationToken: deadline.Token);
            Assert.Equal(id, Assert.Single(listed.Items).Id);

            await Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, cancellationToken: deadline.Token);
            var stopped = (await Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id }, cancellationToken: deadline.Token)).Status;
            Assert.Equal(PodSandboxState.SandboxNotready, stopped.State);
            await Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, cancellationToken: deadline.Token);
        }
        finally
        {
            await RemoveAsync(id);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id }, cancellationToken: deadline.Token).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        await Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, cancellationToken: deadline.Token);
        await LeakCheck.AssertCleanAsync(id, deadline.Token);
    }

    [Fact]
    public async Task A_pod_without_a_cgroup_parent_leaves_no_cgroup_behind()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("nocg"));
        sandbox.Linux.CgroupParent = string.Empty;
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        string containerId;
        try
        {
            containerId = await StartAsync(PodConfigs.Container(target, sandboxId, sandbox, "nocg", "/bin/sleep", "300"), deadline.Token);
            Assert.Equal("ok", (await ExecAsync(containerId, deadline.Token, "/bin/echo", "ok")).Stdout.Trim());
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
        await LeakCheck.AssertCleanAsync(containerId, deadline.Token);
    }

    [Fact]
    public async Task Container_output_is_logged_in_cri_format_and_exit_codes_are_reported()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("exit"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var ok = await StartAsync(PodConfigs.Container(target, sandboxId, sandbox, "ok", "/bin/sh", "-c", "echo hello out; echo hello err >&2"), deadline.Token);
            var failing = await StartAsync(PodConfigs.Container(target, sandboxId, sandbox, "failing", "/bin/sh", "-c", "exit 3"), deadline.Token);

            var okStatus = await WaitExitedAsync(ok, deadline.Token);
            var failStatus = await WaitExitedAsync(failing, deadline.Token);

            Assert.Equal(0, okStatus.ExitCode);
            Assert.Equal("Completed", okStatus.Reason);
            Assert.Equal(3, failStatus.ExitCode);
            Assert.Equal("Error", failStatus.Reason);
            // Exit times come from file timestamps (the kernel's coarse clock, a few ms behind): allow that much.
            const long coarseClockNanos = 50_000_000;
            Assert.True(okStatus.StartedAt + coarseClockNanos >= okStatus.CreatedAt, $"started {okStatus.StartedAt} before created {okStatus.CreatedAt}");
            Assert.True(okStatus.FinishedAt + coarseClockNanos >= okStatus.StartedAt, $"finished {okStatus.FinishedAt} before started {okStatus.StartedAt}");
            Assert.True(okStatus.CreatedAt > 0);
            Assert.Equal(Path.Combine(sandbox.LogDirectory, "ok", "0.log"), okStatus.LogPath);
            var lines = await File.ReadAllLinesAsync(okStatus.LogPath, deadline.Token);
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hello out$"));
            Assert.Contains(lines, l => l.EndsWith(" stderr F hello err", StringComparison.Ordinal));

            var exited = await Runtime.ListContainersAsync(
                new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = sandboxId, State = new ContainerStateValue { State = ContainerState.ContainerExited } } },
                cancellationToken: deadline.Token);
            Assert.Equal(2, exited.Containers.Count);
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task Env_user_workdir_and_read_only_rootfs_take_effect_inside_the_container()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("cfg"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var request = PodConfigs.Container(target, sandboxId, sandbox, "cfg", "/bin/sleep", "300");
            request.Config.Envs.Add(new KeyValue { Key = "GREETING", Value = "hello pod" });
            request.Config.WorkingDir = "/tmp";
            request.Config.Linux = new LinuxContainerConfig
            {
                SecurityContext = new LinuxContainerSecurityContext { RunAsUser = new Int64Value { Value = 1234 }, RunAsGroup = new Int64Value { Value = 5678 }, ReadonlyRootfs = true },
            };
            var id = await StartAsync(request, deadline.Token);

            Assert.Equal("hello pod", (await ExecAsync(id, deadline.Token, "/bin/sh", "-c", "printf %s \"$GREETING\"")).Stdout);
            Assert.Equal("/tmp", (await ExecAsync(id, deadline.Token, "/bin/pwd")).Stdout.Trim());
            Assert.Equal("1234 5678", (await ExecAsync(id, deadline.Token, "/bin/sh", "-c", "echo $(id -u) $(id -g)")).Stdout.Trim());
            var write = await ExecAsync(id, deadline.Token, "/bin/sh", "-c", "echo x > /rootfile");
            Assert.NotEqual(0, write.ExitCode);
            Assert.Contains("Read-only file system", write.Stderr, StringComparison.Ordinal);
            Assert.Equal(sandbox.Hostname, (await ExecAsync(id, deadline.Token, "/bin/hostname")).Stdout.Trim());
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task Two_containers_of_a_pod_share_localhost_and_the_host_reaches_the_pod_ip()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("net"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var server = await StartAsync(
                PodConfigs.Container(target, sandboxId, sandbox, "web", "/bin/sh", "-c", "mkdir -p /tmp/www && echo served-by-pod > /tmp/www/index.html && exec /usr/sbin/httpd -f -p 8080 -h /tmp/www"),
                deadline.Token);
            var client = await StartAsync(PodConfigs.Container(target, sandboxId, sandbox, "client", "/bin/sleep", "300"), deadline.Token);

            var viaLocalhost = await Eventually.UntilAsync(
                async ct => (await ExecAsync(client, ct, "/usr/bin/wget", "-q", "-O", "-", "http://127.0.0.1:8080/")) is { ExitCode: 0 } r ? r.Stdout : null,
                "httpd answering on localhost in the pod",
                deadline.Token);
            Assert.Equal("served-by-pod", viaLocalhost.Trim());

            var ip = (await Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId }, cancellationToken: deadline.Token)).Status.Network.Ip;
            Assert.Equal("served-by-pod", (await HttpGetAsync(IPAddress.Parse(ip), 8080, deadline.Token)).Trim());
            Assert.NotEmpty(server);
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task Stop_escalates_to_sigkill_for_a_process_that_ignores_sigterm()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("stop"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var stubborn = await StartAsync(PodConfigs.Container(target, sandboxId, sandbox, "stubborn", "/bin/sh", "-c", "trap '' TERM; echo ready; while true; do /bin/sleep 1; done"), deadline.Token);
            var polite = await StartAsync(PodConfigs.Container(target, sandboxId, sandbox, "polite", "/bin/sh", "-c", "trap 'exit 0' TERM; while true; do /bin/sleep 1 & wait; done"), deadline.Token);
            await Eventually.UntilAsync(
                async ct => File.Exists(Path.Combine(sandbox.LogDirectory, "stubborn", "0.log")) && (await File.ReadAllTextAsync(Path.Combine(sandbox.LogDirectory, "stubborn", "0.log"), ct)).Contains("ready", StringComparison.Ordinal),
                "the trap to be installed",
                deadline.Token);

            await Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = stubborn, Timeout = 1 }, cancellationToken: deadline.Token);
            await Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = polite, Timeout = 10 }, cancellationToken: deadline.Token);

            Assert.Equal(137, (await StatusAsync(stubborn, deadline.Token)).ExitCode);
            Assert.Equal(0, (await StatusAsync(polite, deadline.Token)).ExitCode);
            await Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = polite, Timeout = 10 }, cancellationToken: deadline.Token);
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task A_memory_limit_ends_a_hog_with_reason_oomkilled()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("oom"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            // tail buffers an endless line in memory until the 16 MiB limit stops it.
            var request = PodConfigs.Container(target, sandboxId, sandbox, "hog", "/bin/sh", "-c", "exec /usr/bin/tail /dev/zero");
            request.Config.Linux = new LinuxContainerConfig { Resources = new LinuxContainerResources { MemoryLimitInBytes = 16 * 1024 * 1024 } };
            var id = await StartAsync(request, deadline.Token);

            var status = await WaitExitedAsync(id, deadline.Token);

            Assert.Equal("OOMKilled", status.Reason);
            Assert.Equal(137, status.ExitCode);
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task Exec_sync_reports_exit_codes_and_times_out()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(target, Name("exec"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var id = await StartAsync(PodConfigs.Container(target, sandboxId, sandbox, "exec", "/bin/sleep", "300"), deadline.Token);

            var result = await ExecAsync(id, deadline.Token, "/bin/sh", "-c", "echo out; echo err >&2; exit 5");
            Assert.Equal((5, "out\n", "err\n"), (result.ExitCode, result.Stdout, result.Stderr));

            var error = await Assert.ThrowsAsync<RpcException>(() => Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "/bin/sleep", "30" }, Timeout = 1 }, cancellationToken: deadline.Token).ResponseAsync);
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }

    [Fact]
    public async Task Many_sandboxes_created_and_removed_at_once_leave_nothing()
    {
        using var deadline = TestDeadline.Seconds(120);
        var configs = Enumerable.Range(0, 30).Select(i => PodConfigs.Sandbox(target, Name($"many{i}"))).ToList();

        var ids = await Task.WhenAll(configs.Select(c => RunAsync(c, deadline.Token)));
        try
        {
            var statuses = await Task.WhenAll(ids.Select(id => Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id }, cancellationToken: deadline.Token).ResponseAsync));
            var addresses = statuses.Select(s => s.Status.Network.Ip).ToList();
            Assert.Equal(30, addresses.Distinct().Count());
        }
        finally
        {
            await Task.WhenAll(ids.Select(RemoveAsync));
        }

        foreach (var id in ids)
        {
            await LeakCheck.AssertCleanAsync(id, deadline.Token);
        }
    }

    protected string Name(string what) => $"{target.Prefix}-{what}";

    protected async Task<string> RunAsync(PodSandboxConfig config, CancellationToken cancellationToken)
        => (await Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, cancellationToken: cancellationToken)).PodSandboxId;

    protected async Task<string> StartAsync(CreateContainerRequest request, CancellationToken cancellationToken)
    {
        var id = (await Runtime.CreateContainerAsync(request, cancellationToken: cancellationToken)).ContainerId;
        await Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id }, cancellationToken: cancellationToken);
        return id;
    }

    protected async Task<ContainerStatus> StatusAsync(string id, CancellationToken cancellationToken)
        => (await Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }, cancellationToken: cancellationToken)).Status;

    protected Task<ContainerStatus> WaitExitedAsync(string id, CancellationToken cancellationToken)
        => Eventually.UntilAsync(
            async ct => await StatusAsync(id, ct) is { State: ContainerState.ContainerExited } s ? s : null,
            $"container {id} to exit",
            cancellationToken);

    protected async Task<(int ExitCode, string Stdout, string Stderr)> ExecAsync(string id, CancellationToken cancellationToken, params string[] command)
    {
        var response = await Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { command }, Timeout = 20 }, cancellationToken: cancellationToken);
        return (response.ExitCode, response.Stdout.ToStringUtf8(), response.Stderr.ToStringUtf8());
    }

    /// <summary>Stops and removes a pod under its own deadline, so cleanup runs even when the test's deadline has passed.</summary>
    protected async Task RemoveAsync(string sandboxId)
    {
        using var cleanup = TestDeadline.Seconds(60);
        await Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId }, cancellationToken: cleanup.Token);
        await Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId }, cancellationToken: cleanup.Token);
    }

    protected static async Task<string> HttpGetAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        // A raw request keeps proxies and connection pools of HttpClient out of the picture.
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.0\r\nHost: {address}\r\n\r\n"), cancellationToken);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream);
        var response = await reader.ReadToEndAsync(cancellationToken);
        var body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return body < 0 ? response : response[(body + 4)..];
    }
}
