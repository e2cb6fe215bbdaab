using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers;
using NodeAgent.Runtime.Sandboxes;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    /// <summary>Stats of ready sandboxes (a stopped one has no infra process, cgroup or netns left).</summary>
    public override async Task<ListPodSandboxStatsResponse> ListPodSandboxStats(ListPodSandboxStatsRequest request, ServerCallContext context)
    {
        var filter = request.Filter;
        var running = (await containers.ListAsync(context.CancellationToken)).Where(c => c.State == ContainerPhase.Running).ToList();
        var response = new ListPodSandboxStatsResponse();
        foreach (var sandbox in sandboxes.List().Where(s => s.State == SandboxState.Ready).OrderBy(s => s.CreatedAt))
        {
            if (filter is not null
                && ((!string.IsNullOrEmpty(filter.Id) && !sandbox.Id.StartsWith(filter.Id, StringComparison.Ordinal))
                    || !CriRuntimeMapper.MatchesLabels(sandbox.ParseConfig().Labels, filter.LabelSelector)))
            {
                continue;
            }

            var usage = await stats.SandboxAsync(sandbox, running.Where(c => c.SandboxId == sandbox.Id).ToList(), context.CancellationToken);
            response.Stats.Add(CriStatsMapper.ToPodSandboxStats(usage));
        }

        return response;
    }
}
