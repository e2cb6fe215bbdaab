using System.Text.Json;
using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Sandboxes;

namespace NodeAgent.Runtime.Server;

internal sealed partial class CriRuntimeService
{
    public override async Task<PodSandboxStatusResponse> PodSandboxStatus(PodSandboxStatusRequest request, ServerCallContext context)
    {
        var record = sandboxes.Get(request.PodSandboxId);
        var config = record.ParseConfig();
        var state = CriRuntimeMapper.StateOf(record, SandboxManager.IsInfraAlive(record));
        var namespaces = config.Linux?.SecurityContext?.NamespaceOptions ?? new NamespaceOption();
        var status = new NodeAgent.Cri.V1.PodSandboxStatus
        {
            Id = record.Id,
            Metadata = config.Metadata,
            State = state,
            CreatedAt = CriRuntimeMapper.Nanos(record.CreatedAt),
            Network = new PodSandboxNetworkStatus { Ip = record.Ips.Count > 0 ? record.Ips[0] : string.Empty },
            Linux = new LinuxPodSandboxStatus { Namespaces = new Namespace { Options = namespaces } },
            RuntimeHandler = record.RuntimeHandler,
        };
        status.Network.AdditionalIps.Add(record.Ips.Skip(1).Select(ip => new PodIP { Ip = ip }));
        status.Labels.Add(config.Labels);
        status.Annotations.Add(config.Annotations);
        var response = new PodSandboxStatusResponse { Status = status };
        if (request.Verbose)
        {
            response.Info.Add("info", JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["pid"] = record.InfraPid,
                ["netns"] = record.NetnsPath,
                ["ipcNamespace"] = record.IpcNamespacePath,
                ["utsNamespace"] = record.UtsNamespacePath,
                ["cgroupParent"] = record.CgroupParent,
                ["hostNetwork"] = record.HostNetwork,
                ["runtimeHandler"] = record.RuntimeHandler,
            }, CriServerJsonContext.Default.DictionaryStringObject));
        }

        await Task.CompletedTask;
        return response;
    }
}
