using System.Globalization;
using System.Text;
using k8s.Models;

namespace NodeAgent.Node.Eviction;

/// <summary>
/// kubelet's eviction decisions as pure functions: which thresholds are met, which pressure conditions hold (kept for
/// the transition period after the last observation), which pods go first, and the messages evicted pods carry.
/// </summary>
public static class EvictionPolicy
{
    /// <summary>Thresholds whose signal's available amount is below them, memory first (kubelet's byEvictionPriority).</summary>
    public static IReadOnlyList<(EvictionThreshold Threshold, SignalObservation Observed)> ThresholdsMet(
        IEnumerable<EvictionThreshold> thresholds, IReadOnlyDictionary<string, SignalObservation> observations)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(observations);
        return thresholds
            .Where(t => observations.TryGetValue(t.Signal, out var o) && o.Available < t.Amount(o.Capacity))
            .Select(t => (t, observations[t.Signal]))
            .OrderBy(m => Priority(m.t.Signal))
            .ToList();
    }

    /// <summary>
    /// The pressure conditions to report: those observed now, plus those last observed within the transition period
    /// (kubelet's evictionPressureTransitionPeriod keeps a condition from flapping). Updates <paramref name="lastObserved"/>.
    /// </summary>
    public static IReadOnlySet<string> Conditions(
        IEnumerable<EvictionThreshold> met, Dictionary<string, DateTimeOffset> lastObserved, DateTimeOffset now, TimeSpan transitionPeriod)
    {
        ArgumentNullException.ThrowIfNull(met);
        ArgumentNullException.ThrowIfNull(lastObserved);
        foreach (var threshold in met)
        {
            lastObserved[EvictionSignal.NodeCondition(threshold.Signal)] = now;
        }

        return lastObserved.Where(c => now - c.Value < transitionPeriod || c.Value == now).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Pods in eviction order for the starved signal, as kubelet ranks them: memory and disk — pods using more than they
    /// request first, then lower priority, then the larger use above requests; pids — lower priority, then more processes
    /// (we count containers' processes as none are reported; priority decides).
    /// </summary>
    public static IReadOnlyList<V1Pod> Rank(string signal, IEnumerable<V1Pod> pods, Func<V1Pod, PodUsage> usage)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(usage);
        var resource = EvictionSignal.Resource(signal);
        var scored = pods.Select(p =>
        {
            var used = Used(signal, usage(p));
            var requested = resource is "memory" or "ephemeral-storage" ? Requests(p, resource) : 0;
            return (Pod: p, Exceeds: resource is "memory" or "ephemeral-storage" && used > requested, Priority: p.Spec?.Priority ?? 0, Above: used - requested);
        });
        return scored
            .OrderByDescending(s => s.Exceeds)
            .ThenBy(s => s.Priority)
            .ThenByDescending(s => s.Above)
            .Select(s => s.Pod)
            .ToList();
    }

    /// <summary>
    /// kubelet's eviction message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 2Mi. "
    /// followed by "Container c was using 5Mi, request is 0, has larger consumption of memory. " per container above its request.
    /// </summary>
    public static string Message(EvictionThreshold threshold, SignalObservation observed, V1Pod pod, PodUsage usage)
    {
        ArgumentNullException.ThrowIfNull(threshold);
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(usage);
        var resource = EvictionSignal.Resource(threshold.Signal);
        var bytes = EvictionSignal.IsBytes(threshold.Signal);
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"The node was low on resource: {resource}. ");
        message.Append(CultureInfo.InvariantCulture, $"Threshold quantity: {QuantityFormat.Format(threshold.Amount(observed.Capacity), bytes)}, available: {QuantityFormat.Format(observed.Available, bytes)}. ");
        if (resource is "memory" or "ephemeral-storage")
        {
            foreach (var container in pod.Spec?.Containers ?? [])
            {
                var stats = usage.Containers.FirstOrDefault(c => c.Name == container.Name);
                if (stats is null)
                {
                    continue;
                }

                var used = resource == "memory" ? stats.MemoryWorkingSetBytes : stats.RootfsBytes + stats.LogsBytes;
                var request = container.Resources?.Requests?.TryGetValue(resource, out var q) == true ? q : null;
                if (used > (request is null ? 0 : (long)request.ToDecimal()))
                {
                    message.Append(CultureInfo.InvariantCulture, $"Container {container.Name} was using {QuantityFormat.Format(used, true)}, request is {request?.ToString() ?? "0"}, has larger consumption of {resource}. ");
                }
            }
        }

        return message.ToString();
    }

    /// <summary>
    /// kubelet's local ephemeral storage checks, in its order: an emptyDir above its sizeLimit, the pod above the sum of
    /// its containers' ephemeral-storage limits, a container (writable layer + logs) above its limit. The message, or null.
    /// </summary>
    public static string? LocalStorageViolation(V1Pod pod, PodUsage usage)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(usage);
        foreach (var volume in pod.Spec?.Volumes ?? [])
        {
            if (volume.EmptyDir?.SizeLimit is { } limit && limit.ToDecimal() > 0
                && usage.VolumeBytes.TryGetValue(volume.Name, out var used) && used > limit.ToDecimal())
            {
                return $"Usage of EmptyDir volume \"{volume.Name}\" exceeds the limit \"{limit}\". ";
            }
        }

        var containers = pod.Spec?.Containers ?? [];
        if (containers.Count > 0 && containers.All(c => Limit(c) is not null))
        {
            var podLimit = containers.Sum(c => Limit(c)!.ToDecimal());
            if (usage.EphemeralStorageBytes > podLimit)
            {
                return $"Pod ephemeral local storage usage exceeds the total limit of containers {QuantityFormat.Format((long)podLimit, true)}. ";
            }
        }

        foreach (var container in containers)
        {
            if (Limit(container) is { } limit && usage.Containers.FirstOrDefault(c => c.Name == container.Name) is { } stats
                && stats.RootfsBytes + stats.LogsBytes > limit.ToDecimal())
            {
                return $"Container {container.Name} exceeded its local ephemeral storage limit \"{limit}\". ";
            }
        }

        return null;
    }

    /// <summary>The status of an evicted pod: phase Failed, reason Evicted, the message, and DisruptionTarget for node pressure.</summary>
    public static void Apply(V1PodStatus status, PodEviction eviction, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(eviction);
        status.Phase = "Failed";
        status.Reason = PodEviction.Reason;
        status.Message = eviction.Message;
        if (eviction.DisruptionTarget)
        {
            var conditions = (status.Conditions ?? []).Where(c => c.Type != "DisruptionTarget").ToList();
            conditions.Add(new V1PodCondition
            {
                Type = "DisruptionTarget",
                Status = "True",
                Reason = PodEviction.TerminationByKubelet,
                Message = eviction.Message,
                LastTransitionTime = now,
            });
            status.Conditions = conditions;
        }
    }

    private static long Used(string signal, PodUsage usage) => signal switch
    {
        EvictionSignal.MemoryAvailable => usage.MemoryBytes,
        EvictionSignal.ImageFsAvailable or EvictionSignal.ImageFsInodesFree => usage.RootfsBytes,
        EvictionSignal.PidAvailable => 0,
        _ => usage.EphemeralStorageBytes,
    };

    private static long Requests(V1Pod pod, string resource)
        => (long)(pod.Spec?.Containers ?? []).Sum(c => c.Resources?.Requests?.TryGetValue(resource, out var q) == true ? q.ToDecimal() : 0);

    private static ResourceQuantity? Limit(V1Container container)
        => container.Resources?.Limits?.TryGetValue("ephemeral-storage", out var q) == true ? q : null;

    private static int Priority(string signal) => signal switch
    {
        EvictionSignal.MemoryAvailable => 0,
        EvictionSignal.PidAvailable => 2,
        _ => 1,
    };
}
