using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using NodeAgent.Configuration;
using NodeAgent.Storage;

namespace NodeAgent.Cli;

/// <summary>
/// Something <c>nodeagent server</c> runs once the API answers and the admin kubeconfig exists: the CRI runtime, the
/// node role and the scheduler. Started in order, disposed in reverse order before the API stops.
/// </summary>
internal interface IServerComponent : IAsyncDisposable
{
    string Name { get; }

    Task StartAsync(ServerEnvironment environment, CancellationToken ct);
}

/// <summary>
/// What a server component gets: the configuration, the store and how to reach the API as admin — the same server, CA
/// and token the admin kubeconfig holds.
/// </summary>
internal sealed record ServerEnvironment(
    NodeAgentOptions Options,
    IRevisionedStore Store,
    Uri ApiServer,
    X509Certificate2 ClusterAuthority,
    string AdminToken,
    ILoggerFactory LoggerFactory);

internal static class ServerComponents
{
    /// <summary>The socket name of the in-process runtime under --run-dir.</summary>
    public const string CriSocketName = "cri.sock";

    /// <summary>
    /// The ServiceAccount controller and root-CA publisher, the runtime (unless --container-runtime-endpoint names
    /// another), then the node role, then the scheduler — the
    /// scheduler last so the node exists before the first pod is placed (docs/node.md).
    /// </summary>
    public static IReadOnlyList<IServerComponent> For(NodeAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // First: pods are admitted only once their namespace's "default" account exists, and the API answers (and
        // clients create pods) before any component has started.
        var components = new List<IServerComponent> { new ServiceAccountComponent(), new RootCaPublisherComponent() };
        if (options.ContainerRuntimeEndpoint is null)
        {
            components.Add(new RuntimeComponent());
        }

        components.Add(new NodeRoleComponent(CriEndpoint(options)));
        components.Add(new SchedulerComponent());
        return components;
    }

    /// <summary>The runtime the node uses: --container-runtime-endpoint, else the in-process one.</summary>
    public static string CriEndpoint(NodeAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ContainerRuntimeEndpoint ?? RuntimeComponent.Endpoint(options);
    }

    /// <summary>
    /// This node's share of --pod-cidr: the first /24 (IPv4) or /64 (IPv6), or the whole range when it is already that
    /// small. With one node per cluster the rest stays unused; it is what the node's spec.podCIDR and the runtime's
    /// bridge IPAM get.
    /// </summary>
    public static IPNetwork NodePodCidr(IPNetwork clusterCidr)
    {
        var nodePrefix = clusterCidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 64 : 24;
        return clusterCidr.PrefixLength >= nodePrefix ? clusterCidr : new IPNetwork(clusterCidr.BaseAddress, nodePrefix);
    }

    /// <summary>The node's address: the API address when it is a specific one, else loopback.</summary>
    public static string HostIP(IPAddress apiAddress)
    {
        ArgumentNullException.ThrowIfNull(apiAddress);
        return apiAddress.Equals(IPAddress.Any) || apiAddress.Equals(IPAddress.IPv6Any) ? IPAddress.Loopback.ToString() : apiAddress.ToString();
    }
}
