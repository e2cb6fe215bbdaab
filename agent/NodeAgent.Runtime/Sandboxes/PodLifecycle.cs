using NodeAgent.Runtime.Containers;

namespace NodeAgent.Runtime.Sandboxes;

/// <summary>Operations on a whole pod: its containers first, then the sandbox (CRI StopPodSandbox and RemovePodSandbox).</summary>
public sealed class PodLifecycle(SandboxManager sandboxes, ContainerManager containers)
{
    /// <summary>Kills every container of the pod (no grace: the kubelet already gave it), then stops the sandbox. Idempotent.</summary>
    public async Task StopAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var sandbox = sandboxes.Get(sandboxId);
        await Task.WhenAll(containers.InSandbox(sandbox.Id).Select(c => containers.StopAsync(c.Id, TimeSpan.Zero, cancellationToken)));
        await sandboxes.StopAsync(sandbox.Id, cancellationToken);
    }

    /// <summary>Removes every container of the pod, then the sandbox. A missing sandbox is not an error.</summary>
    public async Task RemoveAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (sandboxes.Find(sandboxId) is not { } sandbox)
        {
            return;
        }

        await Task.WhenAll(containers.InSandbox(sandbox.Id).Select(c => containers.RemoveAsync(c.Id, cancellationToken)));
        await sandboxes.RemoveAsync(sandbox.Id, cancellationToken);
    }
}
