namespace NodeAgent.Runtime.Network;

/// <summary>What a sandbox needs from the network: its id (also the netns and CNI container id) and pod identity for CNI_ARGS.</summary>
public sealed record PodNetworkRequest(string SandboxId, string PodName, string PodNamespace, string PodUid, IReadOnlyList<PortMapping> PortMappings);
