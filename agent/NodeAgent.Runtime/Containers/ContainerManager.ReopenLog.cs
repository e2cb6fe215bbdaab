using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci;

namespace NodeAgent.Runtime.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Asks the container's conmon to reopen its log file (kubelet renamed it to rotate): new output
    /// lands in a fresh file at the original path. Only a running container has a monitor to ask.
    /// </summary>
    public async Task ReopenLogAsync(string id, CancellationToken cancellationToken)
    {
        var record = await GetAsync(id, cancellationToken);
        if (record.State != ContainerPhase.Running)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"reopen log of container {record.Id}: container is not running");
        }

        ConmonControl.ReopenLog(record.Id, BundleOf(record.Id));
    }
}
