using k8s.Models;
using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Node.Api;

/// <summary>
/// The node core's <see cref="IPodEventSink"/> as core/v1 Events from component "kubelet" on this host, with the
/// container's fieldPath (<c>spec.containers{name}</c>) so <c>kubectl describe</c> shows them as upstream's do; identical
/// events are aggregated into count/lastTimestamp by <see cref="EventRecorder"/>.
/// </summary>
public sealed class PodEventRecorder(EventRecorder recorder) : IPodEventSink
{
    public void Publish(V1Pod pod, PodEvent podEvent)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(podEvent);
        recorder.Record(EventRecorder.Reference(pod, podEvent.FieldPath), podEvent.Type, podEvent.Reason, podEvent.Message);
    }
}
