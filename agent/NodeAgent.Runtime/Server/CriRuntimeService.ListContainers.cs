using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<ListContainersResponse> ListContainers(ListContainersRequest request, ServerCallContext context)
    {
        var filter = request.Filter;
        var response = new ListContainersResponse();
        foreach (var record in (await containers.ListAsync(context.CancellationToken)).OrderBy(c => c.CreatedAt))
        {
            var config = record.ParseConfig();
            var container = CriRuntimeMapper.ToContainer(record, config);
            if (filter is not null
                && ((!string.IsNullOrEmpty(filter.Id) && !record.Id.StartsWith(filter.Id, StringComparison.Ordinal))
                    || (!string.IsNullOrEmpty(filter.PodSandboxId) && !record.SandboxId.StartsWith(filter.PodSandboxId, StringComparison.Ordinal))
                    || (filter.State is { } wanted && wanted.State != container.State)
                    || !CriRuntimeMapper.MatchesLabels(config.Labels, filter.LabelSelector)))
            {
                continue;
            }

            response.Containers.Add(container);
        }

        return response;
    }
}
