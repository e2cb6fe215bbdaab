using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<AttachResponse> Attach(AttachRequest request, ServerCallContext context)
    {
        if (request.Tty && request.Stderr)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "attach: tty and stderr cannot both be true");
        }

        if (!request.Stdin && !request.Stdout && !request.Stderr)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "attach: one of stdin, stdout, stderr must be requested");
        }

        await RequireRunningAsync(request.ContainerId, context.CancellationToken);
        return new AttachResponse { Url = streaming.AttachUrl(request) };
    }
}
