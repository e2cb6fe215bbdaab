using System.Collections.Concurrent;
using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace NodeAgent.Node.Pods;

/// <summary>
/// Desired state for one pod: sync it, evict it (kill it and keep it Failed/Evicted), or terminate it. Terminating and
/// evicting are sticky: later updates only refresh the spec (a terminate still overrides an eviction).
/// </summary>
public sealed record PodWork(V1Pod Pod, bool Terminate = false, long? GracePeriodSeconds = null, NodeAgent.Node.Eviction.PodEviction? Eviction = null);

public sealed record PodWorkersOptions
{
    /// <summary>How often a pod is synced without news (kubelet: 1 min, plus PLEG relists every second).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A failed sync is retried this long after the failure even without news (kubelet's backOffPeriod: 10 s).</summary>
    public TimeSpan SyncErrorRetry { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// kubelet's pod workers: one worker per pod uid; each holds only the newest desired state (a channel of one that drops
/// the older entry), so a burst of updates costs one sync, and one pod is never synced twice at once.
/// </summary>
public sealed partial class PodWorkers(
    Func<PodWork, CancellationToken, Task<V1PodStatus>> sync,
    Action<V1Pod, V1PodStatus> onStatus,
    PodWorkersOptions options,
    TimeProvider time,
    ILogger<PodWorkers> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Number of pods with a live worker.</summary>
    public int Count => _workers.Count;

    /// <summary>The pod has a live worker (it is being synced or terminated).</summary>
    public bool Has(string podUid) => _workers.ContainsKey(podUid);

    /// <summary>Hands the newest desired state to the pod's worker, starting one if needed.</summary>
    public void Update(PodWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var uid = work.Pod.Metadata.Uid;
        while (true)
        {
            var worker = _workers.GetOrAdd(uid, _ => new Worker());
            lock (worker)
            {
                if (worker.Finished)
                {
                    // This worker just ended (its pod terminated); a new uid-equal update starts a fresh one.
                    _workers.TryRemove(new KeyValuePair<string, Worker>(uid, worker));
                    continue;
                }

                worker.Latest = worker.Latest switch
                {
                    { Terminate: true } => worker.Latest with { Pod = work.Pod },
                    { Eviction: { } eviction } when !work.Terminate => work with { Eviction = eviction },
                    _ => work,
                };
                worker.Inbox.Writer.TryWrite(worker.Latest);
                worker.Run ??= RunAsync(uid, worker, _stop.Token);
            }

            return;
        }
    }

    /// <summary>Asks for a sync now (a probe result changed, a container exited).</summary>
    public void Resync(string podUid)
    {
        if (_workers.TryGetValue(podUid, out var worker))
        {
            lock (worker)
            {
                if (worker.Latest is { } latest)
                {
                    worker.Inbox.Writer.TryWrite(latest);
                }
            }
        }
    }

    /// <summary>Completes when the pod's worker has ended (after a terminate), or at once if it has none.</summary>
    public Task WhenFinishedAsync(string podUid) => _workers.TryGetValue(podUid, out var w) && w.Run is { } run ? run : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var worker in _workers.Values)
        {
            if (worker.Run is { } run)
            {
                await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(string uid, Worker worker, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var lastFailed = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!worker.Inbox.Reader.TryRead(out var work))
                {
                    using var resync = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var wake = worker.Inbox.Reader.WaitToReadAsync(resync.Token).AsTask();
                    var wait = lastFailed && options.SyncErrorRetry < options.ResyncPeriod ? options.SyncErrorRetry : options.ResyncPeriod;
                    var tick = Task.Delay(wait, time, resync.Token);
                    await Task.WhenAny(wake, tick).ConfigureAwait(false);
                    await resync.CancelAsync().ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!worker.Inbox.Reader.TryRead(out work))
                    {
                        lock (worker)
                        {
                            work = worker.Latest!;
                        }
                    }
                }

                try
                {
                    var status = await sync(work, cancellationToken).ConfigureAwait(false);
                    lastFailed = false;
                    onStatus(work.Pod, status);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // The loop boundary: log and retry on the next update, or after SyncErrorRetry at the latest.
                    LogSyncFailed(logger, work.Pod.Metadata.NamespaceProperty, work.Pod.Metadata.Name, uid, e);
                    lastFailed = true;
                    continue;
                }

                if (work.Terminate)
                {
                    lock (worker)
                    {
                        worker.Finished = true;
                        _workers.TryRemove(new KeyValuePair<string, Worker>(uid, worker));
                    }

                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync of pod {Namespace}/{Name} ({Uid}) failed; retrying")]
    private static partial void LogSyncFailed(ILogger logger, string? @namespace, string name, string uid, Exception exception);

    private sealed class Worker
    {
        public Channel<PodWork> Inbox { get; } = Channel.CreateBounded<PodWork>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        public PodWork? Latest { get; set; }

        public Task? Run { get; set; }

        public bool Finished { get; set; }
    }
}
