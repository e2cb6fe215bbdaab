using Grpc.Core;
using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Server;

/// <summary>
/// CRI <c>runtime.v1.RuntimeService</c>. Until sandboxes and containers land, only Version and
/// Status answer; every other RPC returns UNIMPLEMENTED (the generated base class does that).
/// </summary>
internal sealed class CriRuntimeService(RuntimeInfo info) : RuntimeService.RuntimeServiceBase
{
    public override Task<VersionResponse> Version(VersionRequest request, ServerCallContext context)
        => Task.FromResult(new VersionResponse
        {
            Version = "0.1.0",
            RuntimeName = RuntimeInfo.Name,
            RuntimeVersion = info.Version,
            RuntimeApiVersion = "v1",
        });

    public override Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        var response = new StatusResponse
        {
            Status = new RuntimeStatus
            {
                Conditions =
                {
                    new RuntimeCondition { Type = "RuntimeReady", Status = false, Reason = "ContainersNotImplemented", Message = "this build serves images only; sandboxes and containers are not implemented yet" },
                    new RuntimeCondition { Type = "NetworkReady", Status = false, Reason = "NetworkNotImplemented", Message = "pod networking is not implemented yet" },
                },
            },
        };
        return Task.FromResult(response);
    }
}

/// <summary>Identity of this runtime as reported by Version.</summary>
public sealed record RuntimeInfo(string Version)
{
    public const string Name = "nodeagent";
}
