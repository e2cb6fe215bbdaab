using System.Text;
using Google.Protobuf;
using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<ExecSyncResponse> ExecSync(ExecSyncRequest request, ServerCallContext context)
    {
        var timeout = request.Timeout > 0 ? TimeSpan.FromSeconds(request.Timeout) : Timeout.InfiniteTimeSpan;
        var result = await containers.ExecSyncAsync(request.ContainerId, request.Cmd, timeout, context.CancellationToken);
        return new ExecSyncResponse
        {
            ExitCode = result.ExitCode,
            Stdout = ByteString.CopyFrom(result.StandardOutput, Encoding.UTF8),
            Stderr = ByteString.CopyFrom(result.StandardError, Encoding.UTF8),
        };
    }
}
