using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Sandboxes;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override Task<ListPodSandboxResponse> ListPodSandbox(ListPodSandboxRequest request, ServerCallContext context)
    {
        var filter = request.Filter;
        var response = new ListPodSandboxResponse();
        foreach (var record in sandboxes.List().OrderBy(s => s.CreatedAt))
        {
            if (record.State == SandboxState.Creating
                || (!string.IsNullOrEmpty(filter?.Id) && !record.Id.StartsWith(filter.Id, StringComparison.Ordinal)))
            {
                continue;
            }

            var config = record.ParseConfig();
            var state = CriRuntimeMapper.StateOf(record, SandboxManager.IsInfraAlive(record));
            if ((filter?.State is { } wanted && wanted.State != state)
                || (filter is not null && !CriRuntimeMapper.MatchesLabels(config.Labels, filter.LabelSelector)))
            {
                continue;
            }

            response.Items.Add(CriRuntimeMapper.ToPodSandbox(record, config, state));
        }

        return Task.FromResult(response);
    }
}
