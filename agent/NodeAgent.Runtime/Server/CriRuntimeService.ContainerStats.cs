using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<ContainerStatsResponse> ContainerStats(ContainerStatsRequest request, ServerCallContext context)
    {
        var record = await containers.GetAsync(request.ContainerId, context.CancellationToken);
        var usage = await stats.ContainerAsync(record, context.CancellationToken);
        return new ContainerStatsResponse { Stats = CriStatsMapper.ToContainerStats(usage) };
    }
}
