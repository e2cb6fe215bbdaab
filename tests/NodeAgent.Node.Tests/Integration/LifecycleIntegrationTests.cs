using k8s.Models;
using NodeAgent.Node.Pods;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Integration;

/// <summary>Termination messages, postStart hooks, activeDeadlineSeconds and finished pods, against a real <c>nodeagent cri</c>.</summary>
[Collection(BusyboxRegistry.Collection)]
public sealed class LifecycleIntegrationTests(BusyboxRegistry registry)
{
    private static bool IsRunning(V1PodStatus s) => s.Phase == "Running" && s.ContainerStatuses.All(c => c.State.Running is not null);

    private static bool IsFinished(V1PodStatus s) => s.Phase is "Succeeded" or "Failed";

    [Fact]
    public async Task Termination_messages_come_from_the_file_a_custom_path_or_the_log_tail()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var byFile = node.Container("file", "/bin/sh", "-c", "printf 'bye from file' > /dev/termination-log; exit 1");
        var custom = node.Container("custom", "/bin/sh", "-c", "printf 'custom path' > /tmp/why; exit 0");
        custom.TerminationMessagePath = "/tmp/why";
        var fromLogs = node.Container("logs", "/bin/sh", "-c", "echo first; echo last words; exit 2");
        fromLogs.TerminationMessagePolicy = "FallbackToLogsOnError";
        var silent = node.Container("silent", "/bin/sh", "-c", "echo not a message; exit 3");
        var pod = node.Pod("msg", byFile, custom, fromLogs, silent);
        pod.Spec.RestartPolicy = "Never";

        var status = await node.SyncUntilAsync(pod, IsFinished, "a terminal phase", deadline.Token);

        string? Message(string name) => status.ContainerStatuses.Single(c => c.Name == name).State.Terminated.Message;
        Assert.Equal("bye from file", Message("file"));
        Assert.Equal("custom path", Message("custom"));
        Assert.Equal("first\nlast words\n", Message("logs"));
        Assert.Null(Message("silent"));
        Assert.Equal(3, status.ContainerStatuses.Single(c => c.Name == "silent").State.Terminated.ExitCode);
    }

    [Fact]
    public async Task A_post_start_hook_runs_before_the_container_counts_as_started_and_a_failing_one_kills_it()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var hooked = node.Container("hooked", "/bin/sleep", "300");
        hooked.Lifecycle = new V1Lifecycle { PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["/bin/sh", "-c", "echo hooked > /tmp/poststart"] } } };
        var good = node.Pod("poststart", hooked);

        var running = await node.SyncUntilAsync(good, IsRunning, "the hooked container running", deadline.Token);
        var (code, stdout) = await node.ExecAsync(running, "hooked", deadline.Token, "/bin/cat", "/tmp/poststart");
        Assert.Equal(0, code);
        Assert.Equal("hooked", stdout.Trim());

        var failing = node.Container("failing", "/bin/sleep", "300");
        failing.Lifecycle = new V1Lifecycle { PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["/bin/sh", "-c", "exit 7"] } } };
        var bad = node.Pod("badhook", failing);
        bad.Spec.RestartPolicy = "Never";

        var failed = await node.SyncUntilAsync(bad, IsFinished, "the pod failed by its hook", deadline.Token);

        Assert.Equal("Failed", failed.Phase);
        Assert.Equal(137, failed.ContainerStatuses.Single().State.Terminated.ExitCode);
        var hookEvent = Assert.Single(node.Events.Events, e => e.Reason == "FailedPostStartHook");
        Assert.StartsWith("Exec lifecycle hook ([/bin/sh -c exit 7]) for Container \"failing\" in Pod \"", hookEvent.Message, StringComparison.Ordinal);
        Assert.Contains("exited with 7", hookEvent.Message, StringComparison.Ordinal);

        // Under restartPolicy Always the killed container waits with the hook's error, then restarts.
        var restarting = node.Container("restarting", "/bin/sleep", "300");
        restarting.Lifecycle = failing.Lifecycle;
        var again = node.Pod("hookagain", restarting);
        var waiting = await node.SyncUntilAsync(again, s => s.ContainerStatuses?.Single().State.Waiting?.Reason == "PostStartHookError", "the hook's error as the waiting reason", deadline.Token);
        Assert.Equal(137, waiting.ContainerStatuses.Single().LastState.Terminated.ExitCode);
        Assert.StartsWith("Exec lifecycle hook", waiting.ContainerStatuses.Single().State.Waiting.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Active_deadline_seconds_fails_the_pod_and_stops_its_containers()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var pod = node.Pod("deadline", node.Container("sleeper", "/bin/sleep", "300"));
        pod.Spec.ActiveDeadlineSeconds = 2;
        await node.SyncUntilAsync(pod, IsRunning, "the sleeper running", deadline.Token);

        var failed = await node.SyncUntilAsync(pod, IsFinished, "the deadline to pass", deadline.Token);

        Assert.Equal("Failed", failed.Phase);
        Assert.Equal(PodSyncer.DeadlineExceededReason, failed.Reason);
        Assert.Equal(PodSyncer.DeadlineExceededMessage, failed.Message);
        Assert.NotNull(failed.ContainerStatuses.Single().State.Terminated);
        Assert.Contains(node.Events.Events, e => e.Reason == "DeadlineExceeded");
        var sandbox = Assert.Single((await node.Cri.ListPodSandboxAsync(
            new Cri.V1.ListPodSandboxRequest { Filter = new Cri.V1.PodSandboxFilter { LabelSelector = { [PodLabels.PodUid] = pod.Metadata.Uid } } },
            cancellationToken: deadline.Token)).Items);
        Assert.Equal(Cri.V1.PodSandboxState.SandboxNotready, sandbox.State);
        // Final: a later sync keeps the status and starts nothing.
        Assert.Equal(PodSyncer.DeadlineExceededReason, (await node.Syncer.SyncAsync(pod, deadline.Token)).Reason);
    }

    [Fact]
    public async Task An_evicted_pod_shows_Failed_Evicted_before_its_containers_have_stopped()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        // sleep as PID 1 ignores SIGTERM: the kill takes the eviction's whole 4 s grace period.
        var pod = node.Pod("evicted", node.Container("sleeper", "/bin/sleep", "300"));
        var running = await node.SyncUntilAsync(pod, IsRunning, "the sleeper running", deadline.Token);
        pod.Status = running;

        var eviction = new NodeAgent.Node.Eviction.PodEviction("The node was low on resource: memory. ", GracePeriodSeconds: 4, DisruptionTarget: true);
        var evicted = await node.Syncer.EvictAsync(pod, eviction, deadline.Token);
        var returned = DateTimeOffset.UtcNow;

        // kubelet's syncTerminatingPod writes the eviction's status before it kills.
        var (at, interim) = Assert.Single(node.InterimStatuses);
        Assert.Equal(("Failed", "Evicted", eviction.Message), (interim.Phase, interim.Reason, interim.Message));
        Assert.Contains(interim.Conditions, c => c.Type == "DisruptionTarget" && c.Status == "True" && c.Reason == "TerminationByKubelet");
        Assert.NotNull(Assert.Single(interim.ContainerStatuses).State.Running);
        Assert.True(returned - at >= TimeSpan.FromSeconds(3), $"the interim status came only {returned - at} before the kill ended");
        Assert.Equal(("Failed", "Evicted"), (evicted.Phase, evicted.Reason));
        Assert.NotNull(Assert.Single(evicted.ContainerStatuses).State.Terminated);
    }

    [Fact]
    public async Task A_pod_the_api_shows_as_finished_is_not_run_again()
    {
        using var deadline = TestDeadline.Seconds(60);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var pod = node.Pod("done", node.Container("main", "/bin/true"));
        pod.Spec.RestartPolicy = "Never";
        pod.Status = new V1PodStatus { Phase = "Succeeded", Reason = "FromBefore" };

        var status = await node.Syncer.SyncAsync(pod, deadline.Token);

        Assert.Equal("Succeeded", status.Phase);
        Assert.Equal("FromBefore", status.Reason);
        Assert.Empty(await node.SandboxIdsAsync(pod, deadline.Token));
    }
}
