using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Controllers.Machinery;
using NodeAgent.Testing.Common;

namespace NodeAgent.Controllers.Tests.Machinery;

public sealed class ReconcilerHostTests
{
    [Fact]
    public async Task Errors_retry_with_backoff_until_success_then_the_key_is_forgotten()
    {
        using var deadline = TestDeadline.Seconds(10);
        var reconciler = new ScriptedReconciler(_ => throw new InvalidOperationException("boom"), _ => throw new InvalidOperationException("boom"), _ => ReconcileResult.Done);
        var metrics = new RecordingMetrics();
        await using var host = NewHost(reconciler, metrics, workers: 1);
        host.Start();
        host.Enqueue(new ObjectKey("ns", "a"));

        await Eventually.UntilAsync(_ => Task.FromResult(metrics.Outcomes.Count >= 3), "three reconciles", deadline.Token);
        Assert.Equal(["error", "error", "success"], metrics.Outcomes);
        Assert.Equal(0, host.Queue.NumRequeues(new ObjectKey("ns", "a")));
    }

    [Fact]
    public async Task Terminal_errors_are_not_retried_and_requeue_after_comes_back()
    {
        using var deadline = TestDeadline.Seconds(10);
        var reconciler = new ScriptedReconciler(
            key => key.Name == "bad" ? throw new TerminalReconcileException("invalid spec") : ReconcileResult.RequeueIn(TimeSpan.FromMilliseconds(20)),
            key => ReconcileResult.Done);
        var metrics = new RecordingMetrics();
        await using var host = NewHost(reconciler, metrics, workers: 2);
        host.Start();
        host.Enqueue(new ObjectKey("ns", "bad"));
        await Eventually.UntilAsync(_ => Task.FromResult(metrics.Outcomes.Contains("terminal_error")), "terminal error", deadline.Token);

        host.Enqueue(new ObjectKey("ns", "ok"));
        await Eventually.UntilAsync(_ => Task.FromResult(metrics.Outcomes.Contains("success")), "requeued reconcile", deadline.Token);
        Assert.Equal(1, reconciler.Calls(new ObjectKey("ns", "bad")));
        Assert.Equal(2, reconciler.Calls(new ObjectKey("ns", "ok")));
    }

    [Fact]
    public async Task One_key_never_runs_on_two_workers_at_once()
    {
        using var deadline = TestDeadline.Seconds(10);
        var key = new ObjectKey("ns", "a");
        var gate = new TaskCompletionSource();
        var running = 0;
        var maxRunning = 0;
        var calls = 0;
        var reconciler = new DelegateReconciler(async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            maxRunning = Math.Max(maxRunning, now);
            if (Interlocked.Increment(ref calls) == 1)
            {
                await gate.Task;
            }

            Interlocked.Decrement(ref running);
            return ReconcileResult.Done;
        });
        await using var host = NewHost(reconciler, null, workers: 4);
        host.Start();
        host.Enqueue(key);
        await Eventually.UntilAsync(_ => Task.FromResult(Volatile.Read(ref calls) == 1), "first reconcile", deadline.Token);
        host.Enqueue(key);
        host.Enqueue(key);
        gate.SetResult();

        await Eventually.UntilAsync(_ => Task.FromResult(Volatile.Read(ref calls) == 2), "the re-added key to run once more", deadline.Token);
        Assert.Equal(1, maxRunning);
    }

    private static ReconcilerHost NewHost(IReconciler reconciler, IReconcileMetrics? metrics, int workers)
        => new(reconciler, new ReconcilerHostOptions { Name = "test", Workers = workers, Metrics = metrics }, NullLogger.Instance);

    private sealed class ScriptedReconciler(params Func<ObjectKey, ReconcileResult>[] steps) : IReconciler
    {
        private readonly ConcurrentDictionary<ObjectKey, int> _calls = new();

        public int Calls(ObjectKey key) => _calls.GetValueOrDefault(key);

        public Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
        {
            var n = _calls.AddOrUpdate(key, 1, (_, c) => c + 1);
            return Task.FromResult(steps[Math.Min(n - 1, steps.Length - 1)](key));
        }
    }

    private sealed class DelegateReconciler(Func<ObjectKey, CancellationToken, Task<ReconcileResult>> run) : IReconciler
    {
        public Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken) => run(key, cancellationToken);
    }

    private sealed class RecordingMetrics : IReconcileMetrics
    {
        private readonly List<string> _outcomes = [];

        public List<string> Outcomes
        {
            get
            {
                lock (_outcomes)
                {
                    return [.. _outcomes];
                }
            }
        }

        public void ReconcileCompleted(string controller, string result, TimeSpan duration)
        {
            lock (_outcomes)
            {
                _outcomes.Add(result);
            }
        }
    }
}
