using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<ExecResponse> Exec(ExecRequest request, ServerCallContext context)
    {
        if (request.Cmd.Count == 0)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "exec: the command is empty");
        }

        if (request.Tty && request.Stderr)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "exec: tty and stderr cannot both be true");
        }

        if (!request.Stdin && !request.Stdout && !request.Stderr)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "exec: one of stdin, stdout, stderr must be requested");
        }

        await RequireRunningAsync(request.ContainerId, context.CancellationToken);
        return new ExecResponse { Url = streaming.ExecUrl(request) };
    }

    private async Task RequireRunningAsync(string containerId, CancellationToken cancellationToken)
    {
        var record = await containers.GetAsync(containerId, cancellationToken);
        if (record.State != ContainerPhase.Running)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"container {record.Id} is not running");
        }
    }
}
