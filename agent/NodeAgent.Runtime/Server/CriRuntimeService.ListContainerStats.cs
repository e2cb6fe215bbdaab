using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    /// <summary>Stats of running containers (as containerd: an exited container has no cgroup left to read).</summary>
    public override async Task<ListContainerStatsResponse> ListContainerStats(ListContainerStatsRequest request, ServerCallContext context)
    {
        var filter = request.Filter;
        var all = await containers.ListAsync(context.CancellationToken);
        var response = new ListContainerStatsResponse();
        foreach (var record in all.Where(c => c.State == ContainerPhase.Running).OrderBy(c => c.CreatedAt))
        {
            if (filter is not null
                && ((!string.IsNullOrEmpty(filter.Id) && !record.Id.StartsWith(filter.Id, StringComparison.Ordinal))
                    || (!string.IsNullOrEmpty(filter.PodSandboxId) && !record.SandboxId.StartsWith(filter.PodSandboxId, StringComparison.Ordinal))
                    || !CriRuntimeMapper.MatchesLabels(record.ParseConfig().Labels, filter.LabelSelector)))
            {
                continue;
            }

            response.Stats.Add(CriStatsMapper.ToContainerStats(await stats.ContainerAsync(record, context.CancellationToken)));
        }

        if (filter is null || (string.IsNullOrEmpty(filter.Id) && string.IsNullOrEmpty(filter.PodSandboxId) && filter.LabelSelector.Count == 0))
        {
            // An unfiltered list saw every container: forget the CPU samples of those that are gone.
            stats.Retain(all.Select(c => c.Id).Concat(sandboxes.List().Select(s => s.Id)).ToHashSet(StringComparer.Ordinal));
        }

        return response;
    }
}
