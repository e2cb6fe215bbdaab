using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers;
using NodeAgent.Runtime.Containers.Stats;
using NodeAgent.Runtime.Network;
using NodeAgent.Runtime.Sandboxes;
using NodeAgent.Runtime.Streaming;

namespace NodeAgent.Runtime.Server;

/// <summary>
/// CRI RuntimeService: translation only, one file per RPC (CriRuntimeService.*.cs); the work is in
/// <see cref="SandboxManager"/>, <see cref="ContainerManager"/> and <see cref="IPodNetwork"/>.
/// Exec, Attach and PortForward hand out URLs of the <see cref="StreamingServer"/>.
/// </summary>
internal sealed partial class CriRuntimeService(
    RuntimeInfo info,
    SandboxManager sandboxes,
    ContainerManager containers,
    PodLifecycle pods,
    IPodNetwork network,
    StatsCollector stats,
    StreamingServer streaming) : RuntimeService.RuntimeServiceBase
{
    public override Task<VersionResponse> Version(VersionRequest request, ServerCallContext context)
        => Task.FromResult(new VersionResponse
        {
            Version = "0.1.0",
            RuntimeName = RuntimeInfo.Name,
            RuntimeVersion = info.Version,
            RuntimeApiVersion = "v1",
        });

    public override Task<UpdateRuntimeConfigResponse> UpdateRuntimeConfig(UpdateRuntimeConfigRequest request, ServerCallContext context)
        => Task.FromResult(new UpdateRuntimeConfigResponse()); // the pod CIDR comes from --pod-cidr; nothing else is configurable here

    public override Task<RuntimeConfigResponse> RuntimeConfig(RuntimeConfigRequest request, ServerCallContext context)
        => Task.FromResult(new RuntimeConfigResponse { Linux = new LinuxRuntimeConfiguration { CgroupDriver = CgroupDriver.Cgroupfs } });
}

/// <summary>Identity of this runtime as reported by Version.</summary>
public sealed record RuntimeInfo(string Version)
{
    public const string Name = "nodeagent";
}
