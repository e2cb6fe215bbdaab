using NodeAgent.Controllers.Machinery;
using NodeAgent.Node.Api;
using NodeAgent.Node.Logs;

namespace NodeAgent.Cli;

/// <summary>The node role (kubelet) against <paramref name="criEndpoint"/>: the built-in runtime's socket or --container-runtime-endpoint.</summary>
internal sealed class NodeRoleComponent(string criEndpoint) : ApiClientComponent
{
    public override string Name => "node";

    protected override IApiComponent Create(ServerEnvironment environment)
    {
        var options = environment.Options;
        var settings = new ServerNodeSettings
        {
            NodeName = options.NodeName,
            CriEndpoint = criEndpoint,
            DataDir = options.DataDir,
            PodCidr = ServerComponents.NodePodCidr(options.PodCidr).ToString(),
            HostIP = ServerComponents.HostIP(options.ApiAddress),
            EvictionHard = options.EvictionHard,
            ContainerLogs = new ContainerLogOptions
            {
                MaxSizeBytes = options.ContainerLogMaxSizeBytes,
                MaxFiles = options.ContainerLogMaxFiles,
                MonitorPeriod = options.ContainerLogMonitorPeriod,
            },
        };
        return new NodeRole(NodeRoleOptions.ForServer(settings, environment.LoggerFactory));
    }
}
