using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Models;

namespace NodeAgent.StartupBench;

/// <summary>When the watch first showed a pod created, bound to the node, and with every container started (ms).</summary>
internal sealed class PodMoments
{
    public double? Created { get; set; }

    public double? Bound { get; set; }

    public double? Started { get; set; }

    public TaskCompletionSource AllStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Gone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// One pod watch on the bench namespace, timestamping each pod's milestones on a monotonic clock as the events arrive
/// (creationTimestamp has whole seconds only, so the ADDED event is the creation moment at millisecond precision).
/// </summary>
internal sealed class PodTimeline : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PodMoments> _pods = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watch;

    public PodTimeline(IKubernetes client, string @namespace, string resourceVersion)
    {
        _watch = WatchAsync(client, @namespace, resourceVersion, _stop.Token);
    }

    public PodMoments For(string name) => _pods.GetOrAdd(name, _ => new PodMoments());

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task WatchAsync(IKubernetes client, string @namespace, string resourceVersion, CancellationToken ct)
    {
        await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(@namespace, resourceVersion: resourceVersion, timeoutSeconds: 3600, cancellationToken: ct))
        {
            var now = _clock.Elapsed.TotalMilliseconds;
            var moments = For(pod.Metadata.Name);
            moments.Created ??= now;
            if (type == WatchEventType.Deleted)
            {
                moments.Gone.TrySetResult();
                continue;
            }

            if (moments.Bound is null && !string.IsNullOrEmpty(pod.Spec.NodeName))
            {
                moments.Bound = now;
            }

            if (moments.Started is null && AllContainersStarted(pod))
            {
                moments.Started = now;
                moments.AllStarted.TrySetResult();
            }
        }
    }

    private static bool AllContainersStarted(V1Pod pod)
    {
        var statuses = pod.Status?.ContainerStatuses;
        return statuses is { Count: > 0 } && statuses.Count == pod.Spec.Containers.Count
            && statuses.All(s => s.State?.Running is not null && s.Started == true);
    }
}
