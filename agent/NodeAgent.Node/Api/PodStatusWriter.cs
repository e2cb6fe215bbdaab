using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Node.Api;

/// <summary>
/// Writes pod statuses computed by the pod workers through the status subresource — only when they change, newest
/// status wins, retried with backoff — and, for a pod whose termination finished, deletes it with gracePeriodSeconds=0
/// (and its uid as precondition) afterwards, which is how kubelet lets a graceful deletion complete.
/// </summary>
public sealed partial class PodStatusWriter : IReconciler, IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly Func<ObjectKey, V1Pod?> _cachedPod;
    private readonly ConcurrentDictionary<ObjectKey, Pending> _latest = new();
    private readonly ReconcilerHost _host;
    private readonly ILogger _logger;

    public PodStatusWriter(IKubernetes client, Func<ObjectKey, V1Pod?> cachedPod, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _client = client;
        _cachedPod = cachedPod;
        _logger = loggerFactory.CreateLogger<PodStatusWriter>();
        _host = new ReconcilerHost(this, new ReconcilerHostOptions { Name = "pod-status", Workers = 2, Time = time }, loggerFactory.CreateLogger<ReconcilerHost>());
    }

    public void Start() => _host.Start();

    /// <summary>Records the newest status of a pod; <paramref name="deleteAfter"/> when its termination has finished.</summary>
    public void Set(V1Pod pod, V1PodStatus status, bool deleteAfter)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var key = ObjectKey.For(pod);
        _latest[key] = new Pending(pod.Metadata.Uid, status, deleteAfter);
        _host.Enqueue(key);
    }

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        if (!_latest.TryGetValue(key, out var pending))
        {
            return ReconcileResult.Done;
        }

        var pod = _cachedPod(key);
        if (pod is null || pod.Metadata.Uid != pending.Uid)
        {
            // Gone from the cache (deleted), or a new pod of the same name: nothing of ours to write.
            _latest.TryRemove(new KeyValuePair<ObjectKey, Pending>(key, pending));
            return ReconcileResult.Done;
        }

        try
        {
            await WriteStatusAsync(pod, pending, cancellationToken).ConfigureAwait(false);
            if (pending.DeleteAfter)
            {
                await DeleteAsync(pod, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            // Deleted meanwhile.
        }

        _latest.TryRemove(new KeyValuePair<ObjectKey, Pending>(key, pending));
        return ReconcileResult.Done;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task WriteStatusAsync(V1Pod cached, Pending pending, CancellationToken cancellationToken)
    {
        var merged = PodStatusMerge.Merge(cached.Status, pending.Status);
        if (!PodStatusMerge.NeedsWrite(cached.Status, merged))
        {
            return;
        }

        var pod = ObjectCopy.Clone(cached);
        pod.Status = merged;
        try
        {
            await _client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // The cache lagged behind another writer: read the pod fresh and write once more (a second conflict retries with backoff).
            var fresh = await _client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (fresh.Metadata.Uid != pending.Uid)
            {
                return;
            }

            merged = PodStatusMerge.Merge(fresh.Status, pending.Status);
            if (!PodStatusMerge.NeedsWrite(fresh.Status, merged))
            {
                return;
            }

            fresh.Status = merged;
            await _client.CoreV1.ReplaceNamespacedPodStatusAsync(fresh, fresh.Metadata.Name, fresh.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(
                pod.Metadata.Name,
                pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            LogDeleted(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // The uid precondition failed: a new pod of the same name; ours is already gone.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name} terminated; deleted it from the API")]
    private static partial void LogDeleted(ILogger logger, string @namespace, string name);

    private sealed record Pending(string Uid, V1PodStatus Status, bool DeleteAfter);
}
