namespace NodeAgent.Runtime.Network;

/// <summary>A hostPort: <paramref name="Protocol"/> is tcp, udp or sctp; a null <paramref name="HostIp"/> means every host address.</summary>
public sealed record PortMapping(string Protocol, int ContainerPort, int HostPort, string? HostIp);
