using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Controllers.Scheduler;

public sealed record SchedulerOptions
{
    /// <summary>Pods whose spec.schedulerName is this are ours (the API defaults it to default-scheduler).</summary>
    public string SchedulerName { get; init; } = "default-scheduler";

    /// <summary>An unschedulable pod is retried after this even without news (upstream's podMaxInUnschedulablePodsDuration).</summary>
    public TimeSpan UnschedulableRetry { get; init; } = TimeSpan.FromMinutes(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Pods bound at once. Decisions are still made one at a time (each sees the pods assumed before it); only the
    /// binding API calls overlap, as upstream's binding cycle runs beside the next scheduling cycle.
    /// </summary>
    public int BindParallelism { get; init; } = 4;

    public ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
}

/// <summary>
/// The scheduler: watches pods and nodes, binds each pending pod of ours (no spec.nodeName) to the least allocated node
/// that fits through the pods/binding subresource, and marks the others PodScheduled=False/Unschedulable with a
/// FailedScheduling event. Unschedulable pods are retried whenever the cluster changes in a way that can free room
/// (a pod deleted or finished, a node added or updated) — the batch queue.
/// </summary>
public sealed partial class PodScheduler : IApiComponent, IReconciler
{
    private const string PodsByNodeIndex = "spec.nodeName";

    private readonly SchedulerOptions _options;
    private readonly ILogger _logger;

    // Pods bound by us that the cache has not yet seen bound (upstream's "assumed pods"), so the next decision counts them.
    private readonly ConcurrentDictionary<string, (V1Pod Pod, string Node)> _assumed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ObjectKey, byte> _unschedulable = new();

    // One scheduling decision at a time: the snapshot plus assume must be atomic, or two binds could share the same room.
    private readonly Lock _decide = new();
    private IKubernetes? _client;
    private SharedInformer<V1Pod>? _pods;
    private SharedInformer<V1Node>? _nodes;
    private ReconcilerHost? _host;
    private EventRecorder? _events;

    public PodScheduler(SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<PodScheduler>();
    }

    /// <summary>Pods waiting for room (for tests and metrics).</summary>
    public int UnschedulableCount => _unschedulable.Count;

    public async Task StartAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        var time = _options.Time;
        _events = new EventRecorder(client, new EventSource(_options.SchedulerName), time, _options.LoggerFactory.CreateLogger<EventRecorder>());
        _pods = new SharedInformer<V1Pod>(ListWatches.Pods(client), "pods", time, _options.LoggerFactory.CreateLogger<SharedInformer<V1Pod>>());
        _pods.Cache.AddIndex(PodsByNodeIndex, p => string.IsNullOrEmpty(p.Spec?.NodeName) ? [] : [p.Spec.NodeName]);
        _nodes = new SharedInformer<V1Node>(ListWatches.Nodes(client), "nodes", time, _options.LoggerFactory.CreateLogger<SharedInformer<V1Node>>());
        _host = new ReconcilerHost(this, new ReconcilerHostOptions { Name = "scheduler", Time = time, Workers = Math.Max(1, _options.BindParallelism) }, _options.LoggerFactory.CreateLogger<ReconcilerHost>());

        _pods.AddHandler(new InformerHandler<V1Pod>
        {
            OnAdd = OnPod,
            OnUpdate = (old, pod) =>
            {
                // Our own Unschedulable condition write comes back as a status-only update: not a reason to try again.
                if (ObjectChanges.PodChanged(old, pod))
                {
                    OnPod(pod);
                }

                if (IsAssigned(pod) && (IsTerminal(pod) && !IsTerminal(old)))
                {
                    RetryUnschedulable();
                }
            },
            OnDelete = pod =>
            {
                _assumed.TryRemove(pod.Metadata.Uid, out _);
                _unschedulable.TryRemove(ObjectKey.For(pod), out _);
                if (IsAssigned(pod))
                {
                    RetryUnschedulable();
                }
            },
        });
        _nodes.AddHandler(new InformerHandler<V1Node>
        {
            OnAdd = _ => RetryUnschedulable(),
            OnUpdate = (old, node) =>
            {
                if (ObjectChanges.NodeSchedulingChanged(old, node))
                {
                    RetryUnschedulable();
                }
            },
        });

        _pods.Start();
        _nodes.Start();
        await Task.WhenAll(_pods.WaitForSyncAsync(cancellationToken), _nodes.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
        _host.Start();
        LogStarted(_logger, _options.SchedulerName);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        if (_pods is not null)
        {
            await _pods.DisposeAsync().ConfigureAwait(false);
        }

        if (_nodes is not null)
        {
            await _nodes.DisposeAsync().ConfigureAwait(false);
        }

        if (_events is not null)
        {
            await _events.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var pod = _pods!.Cache.Get(key);
        if (pod is null || !IsOurPending(pod))
        {
            _unschedulable.TryRemove(key, out _);
            return ReconcileResult.Done;
        }

        ScheduleDecision decision;
        lock (_decide)
        {
            if (_assumed.ContainsKey(pod.Metadata.Uid))
            {
                // Bound already; the cache has not caught up.
                return ReconcileResult.Done;
            }

            decision = SchedulingAlgorithm.Schedule(pod, Snapshot());
            if (decision.NodeName is { } chosen)
            {
                // Assumed before the lock is released, so the next decision counts this pod on its node.
                _assumed[pod.Metadata.Uid] = (pod, chosen);
            }
        }

        if (decision.NodeName is { } nodeName)
        {
            return await BindAsync(key, pod, nodeName, cancellationToken).ConfigureAwait(false);
        }

        _unschedulable[key] = 0;
        LogUnschedulable(_logger, key, decision.FailureMessage!);
        await MarkUnschedulableAsync(pod, decision.FailureMessage!, cancellationToken).ConfigureAwait(false);
        _events!.Record(EventRecorder.Reference(pod), "Warning", "FailedScheduling", decision.FailureMessage!);
        return ReconcileResult.RequeueIn(_options.UnschedulableRetry);
    }

    /// <summary>Every node with the pods the scheduler counts on it: assigned, not finished, plus the assumed ones.</summary>
    private List<NodeInfo> Snapshot()
    {
        var assumedByNode = _assumed.Values.ToLookup(a => a.Node, a => a.Pod, StringComparer.Ordinal);
        return [.. _nodes!.Cache.List().Select(node =>
        {
            var name = node.Metadata.Name;
            var cached = _pods!.Cache.ByIndex(PodsByNodeIndex, name).Where(p => !IsTerminal(p)).ToList();
            var uids = cached.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
            return new NodeInfo(node, cached.Concat(assumedByNode[name].Where(p => !uids.Contains(p.Metadata.Uid))));
        })];
    }

    private async Task<ReconcileResult> BindAsync(ObjectKey key, V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        var binding = new V1Binding
        {
            ApiVersion = "v1",
            Kind = "Binding",
            Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = nodeName },
        };
        try
        {
            await _client!.CoreV1.CreateNamespacedPodBindingAsync(binding, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e) || ApiErrors.IsNotFound(e))
        {
            // Bound by someone else meanwhile, or gone: nothing to do; the watch brings the truth.
            _assumed.TryRemove(pod.Metadata.Uid, out _);
            LogBindSkipped(_logger, key, e);
            return ReconcileResult.Done;
        }
        catch
        {
            _assumed.TryRemove(pod.Metadata.Uid, out _);
            throw;
        }

        _unschedulable.TryRemove(key, out _);
        LogBound(_logger, key, nodeName);
        _events!.Record(EventRecorder.Reference(pod), "Normal", "Scheduled", $"Successfully assigned {key} to {nodeName}");
        return ReconcileResult.Done;
    }

    /// <summary>Writes PodScheduled=False/Unschedulable through the status subresource, only when it changes.</summary>
    private async Task MarkUnschedulableAsync(V1Pod cached, string message, CancellationToken cancellationToken)
    {
        var condition = UnschedulableCondition.Apply(cached.Status, message, _options.Time.GetUtcNow().UtcDateTime);
        if (condition is null)
        {
            return;
        }

        var pod = ObjectCopy.Clone(cached);
        pod.Status = condition;

        // A 409 means the cache is stale: the exception requeues with backoff and the next reconcile reads the new pod.
        await _client!.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private void OnPod(V1Pod pod)
    {
        if (IsAssigned(pod))
        {
            _assumed.TryRemove(pod.Metadata.Uid, out _);
        }

        if (IsOurPending(pod))
        {
            _host!.Enqueue(ObjectKey.For(pod));
        }
    }

    private void RetryUnschedulable()
    {
        foreach (var key in _unschedulable.Keys)
        {
            _host?.Enqueue(key);
        }
    }

    private bool IsOurPending(V1Pod pod)
        => !IsAssigned(pod) && pod.Metadata.DeletionTimestamp is null && !IsTerminal(pod)
           && (string.IsNullOrEmpty(pod.Spec.SchedulerName) ? "default-scheduler" : pod.Spec.SchedulerName) == _options.SchedulerName;

    private static bool IsAssigned(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    private static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {SchedulerName} started")]
    private static partial void LogStarted(ILogger logger, string schedulerName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bound {Pod} to {Node}")]
    private static partial void LogBound(ILogger logger, ObjectKey pod, string node);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Binding {Pod} skipped: already bound or gone")]
    private static partial void LogBindSkipped(ILogger logger, ObjectKey pod, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Pod} is unschedulable: {Message}")]
    private static partial void LogUnschedulable(ILogger logger, ObjectKey pod, string message);
}

/// <summary>The PodScheduled=False condition the scheduler sets on a pod that fits nowhere.</summary>
public static class UnschedulableCondition
{
    /// <returns>The status with the condition set, or null when the pod already says exactly that.</returns>
    public static V1PodStatus? Apply(V1PodStatus? current, string message, DateTime now)
    {
        var status = current is null ? new V1PodStatus { Phase = "Pending" } : ObjectCopy.Clone(current);
        var conditions = status.Conditions ?? [];
        var existing = conditions.FirstOrDefault(c => c.Type == "PodScheduled");
        if (existing is { Status: "False", Reason: "Unschedulable" } && existing.Message == message)
        {
            return null;
        }

        var updated = new V1PodCondition
        {
            Type = "PodScheduled",
            Status = "False",
            Reason = "Unschedulable",
            Message = message,
            LastProbeTime = null,

            // The transition time moves only when the status does.
            LastTransitionTime = existing is { Status: "False" } ? existing.LastTransitionTime ?? now : now,
        };
        status.Conditions = [.. conditions.Where(c => c.Type != "PodScheduled"), updated];
        status.Phase ??= "Pending";
        return status;
    }
}
