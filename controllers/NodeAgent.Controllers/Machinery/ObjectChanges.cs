using k8s.Models;

namespace NodeAgent.Controllers.Machinery;

/// <summary>
/// Which watch updates matter. Status-only updates (our own status writes coming back through the watch) must not
/// trigger another sync or schedule attempt, or every write would cost a second round.
/// </summary>
public static class ObjectChanges
{
    /// <summary>Spec, labels, annotations, deletion or owner changed — what kubelet and the scheduler act on.</summary>
    public static bool PodChanged(V1Pod old, V1Pod updated)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        return !ObjectCopy.JsonEquals(old.Spec, updated.Spec)
            || !ObjectCopy.JsonEquals(old.Metadata.Labels, updated.Metadata.Labels)
            || !ObjectCopy.JsonEquals(old.Metadata.Annotations, updated.Metadata.Annotations)
            || old.Metadata.DeletionTimestamp != updated.Metadata.DeletionTimestamp
            || old.Metadata.DeletionGracePeriodSeconds != updated.Metadata.DeletionGracePeriodSeconds
            || old.Metadata.Uid != updated.Metadata.Uid;
    }

    /// <summary>
    /// A node update that can make an unschedulable pod fit (upstream's queueing hints): allocatable, labels, taints,
    /// spec.unschedulable or the Ready condition changed. Heartbeats alone do not.
    /// </summary>
    public static bool NodeSchedulingChanged(V1Node old, V1Node updated)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        return !ObjectCopy.JsonEquals(old.Status?.Allocatable, updated.Status?.Allocatable)
            || !ObjectCopy.JsonEquals(old.Metadata.Labels, updated.Metadata.Labels)
            || !ObjectCopy.JsonEquals(old.Spec?.Taints, updated.Spec?.Taints)
            || old.Spec?.Unschedulable != updated.Spec?.Unschedulable
            || Ready(old) != Ready(updated);
    }

    private static string? Ready(V1Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;
}
