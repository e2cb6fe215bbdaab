using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Node.Pods;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Pods;

public sealed class PodWorkersTests
{
    [Fact]
    public async Task A_failed_sync_is_retried_after_the_error_retry_period_without_a_new_event()
    {
        using var deadline = TestDeadline.Seconds(20);
        var attempts = 0;
        var synced = new TaskCompletionSource<V1PodStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<V1PodStatus> SyncAsync(PodWork work, CancellationToken ct)
            => Interlocked.Increment(ref attempts) == 1
                ? throw new InvalidOperationException("runtime unavailable")
                : Task.FromResult(new V1PodStatus { Phase = "Running" });

        // The periodic resync is far away: only the error retry can bring the second attempt.
        await using var workers = new PodWorkers(
            SyncAsync,
            (_, status) => synced.TrySetResult(status),
            new PodWorkersOptions { ResyncPeriod = TimeSpan.FromHours(1), SyncErrorRetry = TimeSpan.FromMilliseconds(300) },
            TimeProvider.System,
            NullLogger<PodWorkers>.Instance);
        workers.Update(new PodWork(TestPods.Pod("retried", TestPods.Container("app", "busybox", "sleep", "1"))));

        var status = await synced.Task.WaitAsync(deadline.Token);

        Assert.Equal("Running", status.Phase);
        Assert.Equal(2, Volatile.Read(ref attempts));
    }
}
