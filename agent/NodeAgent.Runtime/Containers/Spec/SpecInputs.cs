using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Images;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>Where a sandbox's namespaces live.</summary>
/// <param name="NetworkNamespacePath">The pinned netns; null for a host-network pod.</param>
/// <param name="InfraPid">catatonit's pid: ipc/uts (and pid when shared) are joined through /proc/PID/ns/*; 0 when the sandbox has no infra process.</param>
/// <param name="SharePid">Whether the pod shares one PID namespace (NamespaceOption.pid == POD).</param>
/// <param name="IpcPath">The sandbox's pinned IPC namespace when it has no infra process.</param>
/// <param name="UtsPath">The sandbox's pinned UTS namespace when it has no infra process.</param>
public sealed record SandboxNamespaces(string? NetworkNamespacePath, int InfraPid, bool SharePid, string? IpcPath = null, string? UtsPath = null);

/// <summary>Host files of a sandbox bind-mounted into each of its containers.</summary>
/// <param name="ShmPath">A tmpfs directory of the sandbox, bind-mounted at /dev/shm.</param>
public sealed record SandboxFiles(string HostsPath, string ResolvConfPath, string HostnamePath, string ShmPath);

/// <summary>Resolves TARGET pid-namespace mode: the container id → its init pid, or null when it is not running.</summary>
public delegate Task<int?> TargetPidResolver(string containerId, CancellationToken cancellationToken);

public sealed record ContainerSpecInput(
    string ContainerId,
    ContainerConfig Config,
    PodSandboxConfig Sandbox,
    OciImageConfig? Image,
    string RootfsPath,
    SandboxNamespaces Namespaces,
    SandboxFiles Files,
    string CgroupsPath)
{
    /// <summary>The sandbox id, for annotations (tooling such as crictl inspect reads it).</summary>
    public string? SandboxId { get; init; }

    /// <summary>Needed only for pid mode TARGET; without it such a config is refused as Invalid.</summary>
    public TargetPidResolver? ResolveTargetPid { get; init; }

    /// <summary>The OS facts the spec depends on (rlimits, devices, cgroup version); a fake in tests.</summary>
    public ISpecHost Host { get; init; } = SpecHost.Instance;
}

public sealed record SandboxSpecInput(
    string SandboxId,
    PodSandboxConfig Config,
    string RootfsPath,
    string CatatonitPath,
    string? NetworkNamespacePath,
    string CgroupsPath);
