using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Sandboxes;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override Task<PortForwardResponse> PortForward(PortForwardRequest request, ServerCallContext context)
    {
        var sandbox = sandboxes.Find(request.PodSandboxId) ?? throw new RuntimeException(RuntimeErrorKind.NotFound, $"port-forward: sandbox {request.PodSandboxId} not found");
        if (sandbox.State != SandboxState.Ready)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"port-forward: sandbox {sandbox.Id} is not ready");
        }

        if (request.Port.Any(p => p is < 1 or > 65535))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "port-forward: ports must be within 1-65535");
        }

        return Task.FromResult(new PortForwardResponse { Url = streaming.PortForwardUrl(request) });
    }
}
