using Microsoft.Extensions.Logging;
using NodeAgent.Configuration;
using NodeAgent.Storage;

namespace NodeAgent.Cli;

/// <summary>
/// Something <c>nodeagent server</c> runs once the API answers and the admin kubeconfig exists:
/// the seam where the controllers, the scheduler and the node role join (issue 6). Started in
/// order, disposed in reverse order before the API stops.
/// </summary>
internal interface IServerComponent : IAsyncDisposable
{
    string Name { get; }

    Task StartAsync(ServerEnvironment environment, CancellationToken ct);
}

/// <summary>What a server component gets: the configuration, the store and how to reach the API as admin.</summary>
internal sealed record ServerEnvironment(
    NodeAgentOptions Options,
    IRevisionedStore Store,
    Uri ApiServer,
    string AdminKubeconfigPath,
    ILoggerFactory LoggerFactory);

internal static class ServerComponents
{
    /// <summary>None yet: controllers, scheduler and node role are added here as they are built.</summary>
    public static IReadOnlyList<IServerComponent> For(NodeAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [];
    }
}
