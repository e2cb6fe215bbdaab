using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using NodeAgent.Controllers.Machinery;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Api;

/// <summary>
/// The pods bound to this node (a watch with fieldSelector spec.nodeName=&lt;node&gt;), fed to the pod workers: every
/// add/update is the newest desired state; a deletionTimestamp (or the pod vanishing from the API, a force delete)
/// terminates it with the pod's grace period.
/// </summary>
public sealed class NodePodSource : IAsyncDisposable
{
    private readonly SharedInformer<V1Pod> _informer;
    private readonly ConcurrentDictionary<string, byte> _finished = new(StringComparer.Ordinal);

    public NodePodSource(IKubernetes client, string nodeName, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _informer = new SharedInformer<V1Pod>(ListWatches.Pods(client, fieldSelector: "spec.nodeName=" + nodeName), "pods", time, loggerFactory.CreateLogger<SharedInformer<V1Pod>>());
    }

    public Indexer<V1Pod> Cache => _informer.Cache;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _informer.Start();
        await _informer.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects the pods to <paramref name="workers"/>; current pods are replayed as adds.</summary>
    public void FeedTo(PodWorkers workers)
    {
        ArgumentNullException.ThrowIfNull(workers);
        _informer.AddHandler(new InformerHandler<V1Pod>
        {
            OnAdd = pod => workers.Update(WorkFor(pod)),
            OnUpdate = (old, pod) =>
            {
                // Our own status writes come back as status-only updates; the worker resyncs on its own.
                if (ObjectChanges.PodChanged(old, pod))
                {
                    workers.Update(WorkFor(pod));
                }
            },
            OnDelete = pod =>
            {
                // Deleted after we finished it (our own final delete): nothing left to do.
                if (!_finished.TryRemove(pod.Metadata.Uid, out _))
                {
                    workers.Update(new PodWork(pod, Terminate: true, GracePeriodSeconds: 0));
                }
            },
        });
    }

    /// <summary>The pod's termination finished; its coming delete event needs no work.</summary>
    public void MarkFinished(string uid) => _finished[uid] = 0;

    public static PodWork WorkFor(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Metadata.DeletionTimestamp is null
            ? new PodWork(pod)
            : new PodWork(pod, Terminate: true, GracePeriodSeconds: pod.Metadata.DeletionGracePeriodSeconds);
    }

    public ValueTask DisposeAsync() => _informer.DisposeAsync();
}
