using System.Collections.Concurrent;
using System.Diagnostics;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Node.Pleg;
using NodeAgent.Node.Pods;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Integration;

/// <summary>The relisting PLEG against a real <c>nodeagent cri</c>: a container exit reaches the pod status within about a second.</summary>
[Collection(BusyboxRegistry.Collection)]
public sealed class PlegIntegrationTests(BusyboxRegistry registry)
{
    [Fact]
    public async Task A_container_exit_updates_the_pod_status_within_seconds_without_a_periodic_resync()
    {
        using var deadline = TestDeadline.Seconds(120);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        // Runs until the test creates /tmp/stop inside it, then exits 3.
        var app = node.Container("app", "/bin/sh", "-c", "while [ ! -f /tmp/stop ]; do /bin/sleep 0.1; done; exit 3");
        var pod = node.Pod("pleg", app);
        pod.Spec.RestartPolicy = "Never";

        var statuses = new ConcurrentQueue<V1PodStatus>();
        // The resync is an hour away: only the PLEG can make the worker notice the exit.
        await using var workers = new PodWorkers(
            (work, ct) => node.Syncer.SyncAsync(work.Pod, ct),
            (_, status) => statuses.Enqueue(status),
            new PodWorkersOptions { ResyncPeriod = TimeSpan.FromHours(1) },
            TimeProvider.System,
            NullLogger<PodWorkers>.Instance);
        await using var pleg = new PodLifecycleEventGenerator(node.Cri, workers.Resync, new PlegOptions(), TimeProvider.System, NullLogger<PodLifecycleEventGenerator>.Instance);
        pleg.Start();
        workers.Update(new PodWork(pod));

        var running = await Eventually.UntilAsync(
            _ => Task.FromResult(statuses.LastOrDefault(s => s.ContainerStatuses?.SingleOrDefault()?.State.Running is not null)),
            "the container running",
            deadline.Token);
        Assert.True(pleg.Healthy);

        var exitedAt = Stopwatch.StartNew();
        var (code, _) = await node.ExecAsync(running, "app", deadline.Token, "/bin/touch", "/tmp/stop");
        Assert.Equal(0, code);
        using var noticeDeadline = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        noticeDeadline.CancelAfter(TimeSpan.FromSeconds(5));
        var exited = await Eventually.UntilAsync(
            _ => Task.FromResult(statuses.LastOrDefault(s => s.ContainerStatuses?.SingleOrDefault()?.State.Terminated is not null)),
            "the exit in the pod status within 5 s (resync is 1 h away)",
            noticeDeadline.Token);

        Assert.Equal(3, exited.ContainerStatuses.Single().State.Terminated.ExitCode);
        Assert.Equal("Failed", exited.Phase);
        Assert.True(exitedAt.Elapsed < TimeSpan.FromSeconds(5), $"noticed after {exitedAt.Elapsed}");
    }
}
