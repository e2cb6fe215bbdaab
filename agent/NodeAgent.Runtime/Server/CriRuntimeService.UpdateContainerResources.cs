using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<UpdateContainerResourcesResponse> UpdateContainerResources(UpdateContainerResourcesRequest request, ServerCallContext context)
    {
        var resources = request.Linux ?? throw new RuntimeException(RuntimeErrorKind.Invalid, "update container resources: linux resources are required");
        await containers.UpdateResourcesAsync(request.ContainerId, resources, context.CancellationToken);
        return new UpdateContainerResourcesResponse();
    }
}
