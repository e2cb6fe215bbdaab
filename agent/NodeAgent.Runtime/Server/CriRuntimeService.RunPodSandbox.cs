using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<RunPodSandboxResponse> RunPodSandbox(RunPodSandboxRequest request, ServerCallContext context)
    {
        var record = await sandboxes.RunAsync(request.Config, request.RuntimeHandler, context.CancellationToken);
        return new RunPodSandboxResponse { PodSandboxId = record.Id };
    }
}
