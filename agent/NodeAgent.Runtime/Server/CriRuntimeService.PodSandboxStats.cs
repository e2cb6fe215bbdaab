using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<PodSandboxStatsResponse> PodSandboxStats(PodSandboxStatsRequest request, ServerCallContext context)
    {
        var sandbox = sandboxes.Get(request.PodSandboxId);
        var running = (await containers.ListAsync(context.CancellationToken)).Where(c => c.SandboxId == sandbox.Id && c.State == ContainerPhase.Running).ToList();
        var usage = await stats.SandboxAsync(sandbox, running, context.CancellationToken);
        return new PodSandboxStatsResponse { Stats = CriStatsMapper.ToPodSandboxStats(usage) };
    }
}
