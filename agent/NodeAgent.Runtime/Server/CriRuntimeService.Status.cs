using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        var networkStatus = await network.StatusAsync(context.CancellationToken);
        var networkCondition = new RuntimeCondition { Type = "NetworkReady", Status = networkStatus.Ready };
        if (!networkStatus.Ready)
        {
            networkCondition.Reason = networkStatus.Reason ?? "NetworkPluginNotReady";
            networkCondition.Message = networkStatus.Message ?? string.Empty;
        }

        return new StatusResponse
        {
            Status = new RuntimeStatus
            {
                Conditions =
                {
                    new RuntimeCondition { Type = "RuntimeReady", Status = true },
                    networkCondition,
                },
            },
        };
    }
}
