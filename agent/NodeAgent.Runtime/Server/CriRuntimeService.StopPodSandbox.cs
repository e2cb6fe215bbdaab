using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<StopPodSandboxResponse> StopPodSandbox(StopPodSandboxRequest request, ServerCallContext context)
    {
        try
        {
            await pods.StopAsync(request.PodSandboxId, context.CancellationToken);
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.NotFound)
        {
            // CRI: stopping a sandbox that is gone succeeds (the kubelet retries after restarts).
        }

        return new StopPodSandboxResponse();
    }
}
