using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace NodeAgent.Node.Probes;

/// <summary>
/// One worker per (container, probe kind), as kubelet's prober manager. Liveness and readiness wait for startup to
/// succeed. A changed result calls <c>onChange(podUid)</c> so the pod worker resyncs at once. Every failed attempt is a
/// Warning event <c>Unhealthy</c> ("Liveness probe failed: …"), as kubelet's prober records them.
/// </summary>
public sealed partial class ProbeManager(
    Func<V1Probe, ProbeTarget, CancellationToken, Task<ProbeResult>> probe,
    TimeProvider time,
    Action<string> onChange,
    IPodEventSink events,
    ILogger<ProbeManager> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string ContainerId, ProbeKind Kind), Worker> _workers = new();

    /// <summary>Starts the container's probes; a no-op for probes already running.</summary>
    public void Start(V1Pod pod, ProbeTarget target)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(target);
        var c = target.Container;
        Add(pod, target, ProbeKind.Startup, c.StartupProbe, initial: false);
        Add(pod, target, ProbeKind.Liveness, c.LivenessProbe, initial: true);
        Add(pod, target, ProbeKind.Readiness, c.ReadinessProbe, initial: false);
    }

    /// <summary>Null when the container has no probe of that kind.</summary>
    public bool? Result(string containerId, ProbeKind kind) => _workers.TryGetValue((containerId, kind), out var w) ? w.State.Result : null;

    /// <summary>The last failure message, for the Unhealthy event and the kill reason.</summary>
    public string? LastMessage(string containerId, ProbeKind kind) => _workers.TryGetValue((containerId, kind), out var w) ? w.LastMessage : null;

    public bool Started(string containerId) => Result(containerId, ProbeKind.Startup) ?? true;

    public async Task StopAsync(string containerId)
    {
        foreach (var kind in Enum.GetValues<ProbeKind>())
        {
            if (_workers.TryRemove((containerId, kind), out var worker))
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async Task StopPodAsync(string podUid)
    {
        foreach (var (key, worker) in _workers.Where(w => w.Value.PodUid == podUid).ToList())
        {
            if (_workers.TryRemove(key, out _))
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _workers.Keys.ToList())
        {
            if (_workers.TryRemove(key, out var worker))
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void Add(V1Pod pod, ProbeTarget target, ProbeKind kind, V1Probe? spec, bool initial)
    {
        if (spec is null)
        {
            return;
        }

        _workers.GetOrAdd((target.ContainerId, kind), _ =>
        {
            var state = new ProbeState(kind == ProbeKind.Readiness ? spec.SuccessThreshold ?? 1 : 1, spec.FailureThreshold ?? 3, initial);
            var worker = new Worker(pod, state);
            worker.Run = RunAsync(worker, spec, target, kind, worker.Stop.Token);
            return worker;
        });
    }

    private async Task RunAsync(Worker worker, V1Probe spec, ProbeTarget target, ProbeKind kind, CancellationToken cancellationToken)
    {
        // Start on a pool thread: the caller holds no lock while the first probe runs.
        await Task.Yield();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, spec.InitialDelaySeconds ?? 0)), time, cancellationToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, spec.PeriodSeconds ?? 10)), time);
            do
            {
                if (kind != ProbeKind.Startup && !Started(target.ContainerId))
                {
                    continue;
                }

                if (kind == ProbeKind.Startup && worker.State.Result)
                {
                    // Startup probes stop once they succeed, as kubelet's do.
                    return;
                }

                var result = await probe(spec, target, cancellationToken).ConfigureAwait(false);
                if (!result.Success)
                {
                    worker.LastMessage = result.Message;
                    events.Publish(worker.Pod, PodEvent.Warning("Unhealthy", $"{kind} probe failed: {result.Message}", $"spec.containers{{{target.Container.Name}}}"));
                }

                if (worker.State.Observe(result.Success))
                {
                    LogResultChanged(logger, kind, target.Container.Name, target.ContainerId, worker.State.Result, result.Message);
                    onChange(worker.PodUid);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped with its container.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} probe of container {Container} ({ContainerId}) is now {Result}: {Detail}")]
    private static partial void LogResultChanged(ILogger logger, ProbeKind kind, string container, string containerId, bool result, string detail);

    private sealed class Worker(V1Pod pod, ProbeState state) : IAsyncDisposable
    {
        public V1Pod Pod { get; } = pod;

        public string PodUid { get; } = pod.Metadata.Uid;

        public ProbeState State { get; } = state;

        public CancellationTokenSource Stop { get; } = new();

        public Task Run { get; set; } = Task.CompletedTask;

        public string? LastMessage { get; set; }

        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync().ConfigureAwait(false);
            await Run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Stop.Dispose();
        }
    }
}
