using k8s.Models;
using NodeAgent.Api.Resources.Cluster;

namespace NodeAgent.Api.Resources;

/// <summary>discovery.k8s.io/v1, coordination.k8s.io/v1 and events.k8s.io/v1.</summary>
public static class ClusterV1Resources
{
    public static IEnumerable<ResourceDefinition> All(ResourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return
        [
            BuiltinResources.Define<V1EndpointSlice, V1EndpointSliceList>("discovery.k8s.io", "endpointslices", true, new EndpointSliceStrategy()),
            BuiltinResources.Define<V1Lease, V1LeaseList>("coordination.k8s.io", "leases", true, new LeaseStrategy()),
            BuiltinResources.Define<Eventsv1Event, Eventsv1EventList>("events.k8s.io", "events", true, new EventsV1EventStrategy(), ["ev"]),
        ];
    }
}
