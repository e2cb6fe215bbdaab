namespace NodeAgent.Node.Probes;

public enum ProbeKind
{
    Liveness,
    Readiness,
    Startup,
}

/// <summary>One probe attempt: success or failure, with the output or error kubelet would put in the Unhealthy event.</summary>
public sealed record ProbeResult(bool Success, string Message)
{
    public static ProbeResult Ok(string message = "") => new(true, message);

    public static ProbeResult Fail(string message) => new(false, message);
}

/// <summary>Where a probe goes: the container (exec) and the pod's address (httpGet, tcpSocket).</summary>
public sealed record ProbeTarget(string ContainerId, string? PodIP, k8s.Models.V1Container Container);
