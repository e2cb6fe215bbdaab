using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<CreateContainerResponse> CreateContainer(CreateContainerRequest request, ServerCallContext context)
    {
        var record = await containers.CreateAsync(request.PodSandboxId, request.Config, request.SandboxConfig, context.CancellationToken);
        return new CreateContainerResponse { ContainerId = record.Id };
    }
}
