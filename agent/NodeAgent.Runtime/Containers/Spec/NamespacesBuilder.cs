using System.Globalization;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// Which namespaces a container creates or joins. Joined ones are the pinned netns and either the
/// sandbox's pinned IPC/UTS namespaces or the infra process's /proc/PID/ns/*. No cgroup
/// namespace: on cgroup v1 runc would have to unshare every hierarchy for little gain.
/// </summary>
public static class NamespacesBuilder
{
    public static async Task<IReadOnlyList<OciNamespace>> BuildAsync(
        NamespaceOption? options, SandboxNamespaces sandbox, TargetPidResolver? resolveTargetPid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        options ??= new NamespaceOption();
        var namespaces = new List<OciNamespace>();

        // PID first: it decides what the others see in /proc/<pid>.
        switch (options.Pid)
        {
            case NamespaceMode.Node:
                break;
            case NamespaceMode.Container:
                namespaces.Add(new OciNamespace(OciNamespaceType.Pid));
                break;
            case NamespaceMode.Target:
                namespaces.Add(new OciNamespace(OciNamespaceType.Pid, await TargetPidPathAsync(options.TargetId, resolveTargetPid, cancellationToken).ConfigureAwait(false)));
                break;
            default:
                namespaces.Add(new OciNamespace(OciNamespaceType.Pid, InfraPath(sandbox, "pid")));
                break;
        }

        if (sandbox.NetworkNamespacePath is { } netns)
        {
            namespaces.Add(new OciNamespace(OciNamespaceType.Network, netns));

            // UTS goes with the network: a host-network pod keeps the node's UTS namespace (and hostname), as kubelet expects.
            namespaces.Add(new OciNamespace(OciNamespaceType.Uts, sandbox.UtsPath ?? InfraPath(sandbox, "uts")));
        }

        switch (options.Ipc)
        {
            case NamespaceMode.Node:
                break;
            case NamespaceMode.Container:
                namespaces.Add(new OciNamespace(OciNamespaceType.Ipc));
                break;
            default:
                namespaces.Add(new OciNamespace(OciNamespaceType.Ipc, sandbox.IpcPath ?? InfraPath(sandbox, "ipc")));
                break;
        }

        namespaces.Add(new OciNamespace(OciNamespaceType.Mount));
        return namespaces;
    }

    private static string InfraPath(SandboxNamespaces sandbox, string type)
        => sandbox.InfraPid > 0
            ? $"/proc/{sandbox.InfraPid.ToString(CultureInfo.InvariantCulture)}/ns/{type}"
            : throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"cannot join the sandbox's {type} namespace: the sandbox has no infra process");

    private static async Task<string> TargetPidPathAsync(string targetId, TargetPidResolver? resolve, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(targetId))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, "pid namespace mode TARGET needs namespace_options.target_id");
        }

        if (resolve is null)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"pid namespace mode TARGET ({targetId}) is not supported here");
        }

        var pid = await resolve(targetId, cancellationToken).ConfigureAwait(false);
        return pid is > 0
            ? $"/proc/{pid.Value.ToString(CultureInfo.InvariantCulture)}/ns/pid"
            : throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"target container {targetId} for the pid namespace is not running");
    }
}
