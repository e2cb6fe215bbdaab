using Microsoft.Extensions.Logging;
using k8s.Models;

namespace NodeAgent.Node.Eviction;

/// <summary>What the eviction manager needs from the node: measurements, pods, reclaiming and evicting.</summary>
public sealed record EvictionServices
{
    /// <summary>The node's signals now (machine and runtime).</summary>
    public required Func<CancellationToken, Task<IReadOnlyDictionary<string, SignalObservation>>> Observe { get; init; }

    /// <summary>The pods running on the node (not finished, not being deleted).</summary>
    public required Func<IReadOnlyList<V1Pod>> ActivePods { get; init; }

    /// <summary>Per-pod usage by uid (CRI container stats, log and emptyDir sizes).</summary>
    public required Func<IReadOnlyList<V1Pod>, CancellationToken, Task<IReadOnlyDictionary<string, PodUsage>>> PodUsage { get; init; }

    /// <summary>Frees node-level resources for a disk signal (dead containers, unused images) before any pod is evicted.</summary>
    public required Func<string, CancellationToken, Task> ReclaimNodeLevel { get; init; }

    /// <summary>Hands a pod to its worker to be killed and marked Failed/Evicted.</summary>
    public required Action<V1Pod, PodEviction> Evict { get; init; }

    /// <summary>Records an event on the pod (Warning Evicted).</summary>
    public required Action<V1Pod, PodEvent> PodEvent { get; init; }

    /// <summary>Records an event on the node (Warning EvictionThresholdMet).</summary>
    public required Action<string, string, string> NodeEvent { get; init; }

    /// <summary>Called when the set of pressure conditions changes (the node status and taints follow).</summary>
    public Action OnPressureChanged { get; init; } = () => { };
}

/// <summary>
/// kubelet's eviction manager: every monitoring interval it measures the signals, keeps MemoryPressure/DiskPressure/
/// PIDPressure (held for the transition period after the last time a threshold was met), evicts pods breaking their
/// local-storage limits, and when a hard threshold is met reclaims node-level resources first (disk) and then evicts
/// one pod per interval in kubelet's ranking.
/// </summary>
public sealed partial class EvictionManager : IAsyncDisposable
{
    private readonly EvictionServices _services;
    private readonly EvictionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DateTimeOffset> _lastObserved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _evicted = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private volatile IReadOnlySet<string> _conditions = new HashSet<string>();
    private Task? _loop;

    public EvictionManager(EvictionServices services, EvictionOptions options, TimeProvider time, ILogger<EvictionManager> logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The pressure conditions currently True (MemoryPressure, DiskPressure, PIDPressure).</summary>
    public IReadOnlySet<string> Conditions => _conditions;

    public void Start() => _loop ??= RunAsync(_stop.Token);

    /// <summary>One pass of kubelet's synchronize; returns the pod evicted, if any.</summary>
    public async Task<V1Pod?> SynchronizeAsync(CancellationToken cancellationToken)
    {
        var observations = await _services.Observe(cancellationToken).ConfigureAwait(false);
        var met = EvictionPolicy.ThresholdsMet(_options.Hard, observations);
        var conditions = EvictionPolicy.Conditions(met.Select(m => m.Threshold), _lastObserved, _time.GetUtcNow(), _options.PressureTransitionPeriod);
        if (!conditions.SetEquals(_conditions))
        {
            _conditions = conditions;
            LogPressure(_logger, conditions.Count == 0 ? "none" : string.Join(", ", conditions.Order(StringComparer.Ordinal)));
            _services.OnPressureChanged();
        }

        _evicted.IntersectWith(_services.ActivePods().Select(p => p.Metadata.Uid));
        var pods = _services.ActivePods().Where(p => !_evicted.Contains(p.Metadata.Uid)).ToList();
        var usage = await _services.PodUsage(pods, cancellationToken).ConfigureAwait(false);
        PodUsage UsageOf(V1Pod pod) => usage.TryGetValue(pod.Metadata.Uid, out var u) ? u : Eviction.PodUsage.None;

        // Local storage limits first: a pod over its own limit goes whether or not the node is short.
        V1Pod? first = null;
        foreach (var pod in pods)
        {
            if (EvictionPolicy.LocalStorageViolation(pod, UsageOf(pod)) is { } violation)
            {
                Evict(pod, new PodEviction(violation, 0, DisruptionTarget: false));
                first ??= pod;
            }
        }

        if (first is not null || met.Count == 0)
        {
            return first;
        }

        var (threshold, _) = met[0];
        var resource = EvictionSignal.Resource(threshold.Signal);
        _services.NodeEvent("Warning", "EvictionThresholdMet", $"Attempting to reclaim {resource}");
        LogThresholdMet(_logger, threshold, met[0].Observed.Available);
        if (EvictionSignal.NodeCondition(threshold.Signal) == NodePressure.DiskPressure)
        {
            await _services.ReclaimNodeLevel(threshold.Signal, cancellationToken).ConfigureAwait(false);
            observations = await _services.Observe(cancellationToken).ConfigureAwait(false);
            if (EvictionPolicy.ThresholdsMet([threshold], observations).Count == 0)
            {
                LogReclaimed(_logger, threshold);
                return null;
            }
        }

        var observed = observations[threshold.Signal];
        var ranked = EvictionPolicy.Rank(threshold.Signal, pods, UsageOf);
        if (ranked.Count == 0)
        {
            LogNothingToEvict(_logger, threshold);
            return null;
        }

        var victim = ranked[0];
        Evict(victim, new PodEviction(EvictionPolicy.Message(threshold, observed, victim, UsageOf(victim)), _options.HardEvictionGracePeriodSeconds, DisruptionTarget: true));
        return victim;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private void Evict(V1Pod pod, PodEviction eviction)
    {
        LogEvicting(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, eviction.Message);
        _evicted.Add(pod.Metadata.Uid);
        _services.PodEvent(pod, NodeAgent.Node.PodEvent.Warning(PodEviction.Reason, eviction.Message));
        _services.Evict(pod, eviction);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(_options.MonitoringInterval, _time);
        try
        {
            do
            {
                try
                {
                    await SynchronizeAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // The loop boundary: measure again on the next tick.
                    LogFailed(_logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node pressure conditions now: {Conditions}")]
    private static partial void LogPressure(ILogger logger, string conditions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Eviction threshold {Threshold} met (available {Available}); attempting to reclaim")]
    private static partial void LogThresholdMet(ILogger logger, EvictionThreshold threshold, long available);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node-level reclaim brought {Threshold} back; no pod evicted")]
    private static partial void LogReclaimed(ILogger logger, EvictionThreshold threshold);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Eviction threshold {Threshold} met but no pod can be evicted")]
    private static partial void LogNothingToEvict(ILogger logger, EvictionThreshold threshold);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evicting pod {Namespace}/{Name}: {Message}")]
    private static partial void LogEvicting(ILogger logger, string? @namespace, string name, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Eviction manager pass failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
