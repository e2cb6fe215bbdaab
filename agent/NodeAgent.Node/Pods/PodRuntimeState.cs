using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Pods;

/// <summary>Why a container is waiting, as the syncer last decided (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError …).</summary>
public sealed record ContainerWaiting(string Reason, string? Message = null);

/// <summary>What the runtime and the prober say about one pod: the inputs of <see cref="PodStatusBuilder"/>.</summary>
public sealed record PodRuntimeState
{
    /// <summary>The pod's current sandbox, if any.</summary>
    public PodSandboxStatus? Sandbox { get; init; }

    /// <summary>CRI statuses of the pod's containers (every attempt still known to the runtime).</summary>
    public IReadOnlyList<ContainerStatus> Containers { get; init; } = [];

    /// <summary>Container name → why it is not running right now.</summary>
    public IReadOnlyDictionary<string, ContainerWaiting> Waiting { get; init; } = new Dictionary<string, ContainerWaiting>();

    /// <summary>Container id → readiness probe result (absent: no readiness probe).</summary>
    public IReadOnlyDictionary<string, bool> Readiness { get; init; } = new Dictionary<string, bool>();

    /// <summary>Container id → startup probe result (absent: no startup probe).</summary>
    public IReadOnlyDictionary<string, bool> Started { get; init; } = new Dictionary<string, bool>();
}
