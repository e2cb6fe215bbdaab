using System.Text.Json;
using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<ContainerStatusResponse> ContainerStatus(ContainerStatusRequest request, ServerCallContext context)
    {
        var record = await containers.GetAsync(request.ContainerId, context.CancellationToken);
        var response = new ContainerStatusResponse { Status = CriRuntimeMapper.ToStatus(record, record.ParseConfig()) };
        if (request.Verbose)
        {
            response.Info.Add("info", JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["sandboxID"] = record.SandboxId,
                ["pid"] = record.Pid,
                ["bundle"] = containers.BundleOf(record.Id),
                ["cgroupsPath"] = record.CgroupsPath,
            }, CriServerJsonContext.Default.DictionaryStringObject));
        }

        return response;
    }
}
