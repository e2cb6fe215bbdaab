namespace NodeAgent.Runtime.Network;

/// <summary>What a sandbox needs from the network: its id (also the netns and CNI container id) and pod identity for CNI_ARGS.</summary>
public sealed record PodNetworkRequest(string SandboxId, string PodName, string PodNamespace, string PodUid, IReadOnlyList<PortMapping> PortMappings)
{
    /// <summary>
    /// Called with the netns path as soon as the namespace is pinned, before the CNI plugins run, so the
    /// caller can start the sandbox's infra process in it while the slow ADD goes on.
    /// </summary>
    public Action<string>? NamespaceCreated { get; init; }
}
