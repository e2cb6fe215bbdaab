using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Runtime.Tests.Pods;

/// <summary>The pod scenarios against our runtime (<c>nodeagent cri</c>), plus what only ours can be asked to do.</summary>
public sealed class NodeAgentPodRuntimeTests(NodeAgentPodTarget target)
    : PodRuntimeScenarios(target), IClassFixture<NodeAgentPodTarget>
{
    private NodeAgentPodTarget Target => target;

    [Fact]
    public async Task Runtime_killed_and_restarted_keeps_running_pods_and_sees_exits_that_happened_meanwhile()
    {
        using var deadline = TestDeadline.Seconds(90);
        var sandbox = PodConfigs.Sandbox(Target, Name("restart"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var sleeper = await StartAsync(PodConfigs.Container(Target, sandboxId, sandbox, "sleeper", "/bin/sleep", "300"), deadline.Token);
            var waiter = await StartAsync(PodConfigs.Container(Target, sandboxId, sandbox, "waiter", "/bin/sh", "-c", "while [ ! -e /tmp/go ]; do /bin/sleep 0.1; done; exit 42"), deadline.Token);

            await Target.KillAndRestartAsync(deadline.Token);
            await ExecAsync(waiter, deadline.Token, "/bin/touch", "/tmp/go");
            var exited = await WaitExitedAsync(waiter, deadline.Token);
            await Target.KillAndRestartAsync(deadline.Token);

            Assert.Equal(42, exited.ExitCode);
            Assert.Equal(42, (await StatusAsync(waiter, deadline.Token)).ExitCode);
            Assert.Equal(ContainerState.ContainerRunning, (await StatusAsync(sleeper, deadline.Token)).State);
            Assert.Equal("alive", (await ExecAsync(sleeper, deadline.Token, "/bin/echo", "alive")).Stdout.Trim());
            var pods = await Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { Id = sandboxId } }, cancellationToken: deadline.Token);
            Assert.Equal(PodSandboxState.SandboxReady, Assert.Single(pods.Items).State);
            var containers = await Runtime.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = sandboxId } }, cancellationToken: deadline.Token);
            Assert.Equal(2, containers.Containers.Count);
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }


    [Fact]
    public async Task A_pod_without_a_shared_pid_namespace_has_pinned_ipc_and_uts_namespaces_and_no_infra_process()
    {
        using var deadline = TestDeadline.Seconds(60);
        var pinned = PodConfigs.Sandbox(Target, Name("pins"));
        var shared = PodConfigs.Sandbox(Target, Name("infra"));
        shared.Linux.SecurityContext.NamespaceOptions.Pid = NamespaceMode.Pod;
        var pinnedId = await RunAsync(pinned, deadline.Token);
        var sharedId = await RunAsync(shared, deadline.Token);
        try
        {
            var first = await StartAsync(PodConfigs.Container(Target, pinnedId, pinned, "first", "/bin/sleep", "300"), deadline.Token);
            var second = await StartAsync(PodConfigs.Container(Target, pinnedId, pinned, "second", "/bin/sleep", "300"), deadline.Token);
            foreach (var ns in new[] { "ipc", "uts" })
            {
                var a = (await ExecAsync(first, deadline.Token, "/bin/readlink", $"/proc/self/ns/{ns}")).Stdout.Trim();
                var b = (await ExecAsync(second, deadline.Token, "/bin/readlink", $"/proc/self/ns/{ns}")).Stdout.Trim();
                Assert.StartsWith(ns + ":[", a, StringComparison.Ordinal);
                Assert.Equal(a, b);
                Assert.NotEqual(new FileInfo($"/proc/self/ns/{ns}").LinkTarget, a);
            }

            Assert.Equal(pinned.Hostname, (await ExecAsync(second, deadline.Token, "/bin/hostname")).Stdout.Trim());

            var pinnedInfo = await InfoAsync(pinnedId, deadline.Token);
            Assert.Equal(0, pinnedInfo.GetProperty("pid").GetInt32());
            Assert.True(File.Exists(pinnedInfo.GetProperty("ipcNamespace").GetString()));
            var sharedInfo = await InfoAsync(sharedId, deadline.Token);
            Assert.True(sharedInfo.GetProperty("pid").GetInt32() > 0);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, sharedInfo.GetProperty("ipcNamespace").ValueKind);
        }
        finally
        {
            await RemoveAsync(pinnedId);
            await RemoveAsync(sharedId);
        }

        await LeakCheck.AssertCleanAsync(pinnedId, deadline.Token);
        await LeakCheck.AssertCleanAsync(sharedId, deadline.Token);
    }

    private async Task<System.Text.Json.JsonElement> InfoAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var status = await Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId, Verbose = true }, cancellationToken: cancellationToken);
        return System.Text.Json.JsonDocument.Parse(status.Info["info"]).RootElement.Clone();
    }

    [Fact]
    public async Task A_retried_run_or_create_gets_the_object_the_first_call_made()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(Target, $"{Target.Prefix}-retry");
        var first = await Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandbox }, cancellationToken: deadline.Token);
        try
        {
            var again = await Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandbox }, cancellationToken: deadline.Token);
            Assert.Equal(first.PodSandboxId, again.PodSandboxId);

            var request = PodConfigs.Container(Target, first.PodSandboxId, sandbox, "retry", "/bin/sleep", "300");
            var created = await Runtime.CreateContainerAsync(request, cancellationToken: deadline.Token);
            var retried = await Runtime.CreateContainerAsync(request, cancellationToken: deadline.Token);
            Assert.Equal(created.ContainerId, retried.ContainerId);

            await Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = created.ContainerId }, cancellationToken: deadline.Token);
            var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Runtime.CreateContainerAsync(request, cancellationToken: deadline.Token).ResponseAsync);
            Assert.Equal(Grpc.Core.StatusCode.AlreadyExists, error.StatusCode);
            var listed = await Runtime.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = first.PodSandboxId } }, cancellationToken: deadline.Token);
            Assert.Single(listed.Containers);
        }
        finally
        {
            await RemoveAsync(first.PodSandboxId);
        }

        await LeakCheck.AssertCleanAsync(first.PodSandboxId, deadline.Token);
    }

    [Fact]
    public async Task An_exited_container_has_no_log_to_reopen_and_its_stats_keep_only_the_writable_layer()
    {
        using var deadline = TestDeadline.Seconds(60);
        var sandbox = PodConfigs.Sandbox(Target, Name("exitstats"));
        var sandboxId = await RunAsync(sandbox, deadline.Token);
        try
        {
            var id = await StartAsync(PodConfigs.Container(Target, sandboxId, sandbox, "writer", "/bin/sh", "-c", "echo data > /tmp/file"), deadline.Token);
            await WaitExitedAsync(id, deadline.Token);

            // Only a running container has a conmon to ask; the status code says which precondition failed.
            var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = id }, cancellationToken: deadline.Token).ResponseAsync);
            Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, error.StatusCode);
            Assert.Contains("container is not running", error.Status.Detail, StringComparison.Ordinal);

            var stats = (await Runtime.ContainerStatsAsync(new ContainerStatsRequest { ContainerId = id }, cancellationToken: deadline.Token)).Stats;
            Assert.Null(stats.Cpu);
            Assert.Null(stats.Memory);
            Assert.True(stats.WritableLayer.InodesUsed.Value >= 2, "the upper dir holds /tmp and /tmp/file");
            var listed = await Runtime.ListContainerStatsAsync(new ListContainerStatsRequest { Filter = new ContainerStatsFilter { PodSandboxId = sandboxId } }, cancellationToken: deadline.Token);
            Assert.Empty(listed.Stats); // lists cover running containers only, as containerd's
        }
        finally
        {
            await RemoveAsync(sandboxId);
        }

        await LeakCheck.AssertCleanAsync(sandboxId, deadline.Token);
    }
}

/// <summary>The same scenarios against containerd.</summary>
public sealed class ContainerdPodRuntimeTests(ContainerdPodTarget target)
    : PodRuntimeScenarios(target), IClassFixture<ContainerdPodTarget>;
