using System.Net;

namespace NodeAgent.Runtime.Network;

/// <summary>A set-up pod network: the pinned netns path, the pod's addresses and its interface name.</summary>
public sealed record PodNetworkResult(string NetnsPath, IReadOnlyList<IPAddress> Addresses, string InterfaceName);
