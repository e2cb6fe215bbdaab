namespace NodeAgent.Runtime.Network;

/// <summary>Pod networking for sandboxes: a pinned network namespace wired up by CNI plugins.</summary>
public interface IPodNetwork
{
    /// <summary>
    /// Creates and pins a network namespace named after the sandbox id (/run/netns/&lt;SandboxId&gt;),
    /// brings up lo, runs CNI ADD over the generated conflist and persists what DEL needs. On any
    /// failure undoes everything it did, then throws. Calling it again for a sandbox that is
    /// already set up returns the existing result.
    /// </summary>
    Task<PodNetworkResult> SetUpAsync(PodNetworkRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// CNI DEL (reverse order, same config and runtimeConfig as ADD), then unpins the netns and
    /// removes the state. Idempotent; tolerates a half set-up sandbox, a missing netns and an
    /// agent restart in between.
    /// </summary>
    Task TearDownAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>The network of an existing sandbox (also after a restart); null when it has none.</summary>
    Task<PodNetworkResult?> GetAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Ready when the plugins exist and the configuration is valid (CRI Status NetworkReady).</summary>
    Task<NetworkStatus> StatusAsync(CancellationToken cancellationToken);
}
