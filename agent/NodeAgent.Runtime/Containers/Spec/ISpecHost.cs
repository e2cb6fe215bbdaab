using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>The host facts a spec depends on: the seam to the OS that keeps the builders testable without root.</summary>
public interface ISpecHost
{
    /// <summary>The agent's current hard limit for an RLIMIT_* name (runc cannot raise it), or null when unknown.</summary>
    ulong? HardLimit(string rlimitType);

    /// <summary>The agent's own oom_score_adj: runc cannot go below it without CAP_SYS_RESOURCE.</summary>
    int OwnOomScoreAdj { get; }

    /// <summary>Whether /sys/fs/cgroup is the unified (v2) hierarchy; runc refuses linux.resources.unified otherwise.</summary>
    bool IsCgroupV2 { get; }

    /// <summary>Whether the memory controller can limit swap (memsw on v1, memory.swap.max on v2); runc fails to set it otherwise.</summary>
    bool SwapLimitSupported { get; }

    string HostName { get; }

    /// <summary>The agent's bounding capability set: runc cannot grant a container anything outside it.</summary>
    IReadOnlyCollection<string> BoundingCapabilities { get; }

    /// <summary>The device node at a host path (symlinks followed), or null when the path is not a char/block device.</summary>
    OciDevice? Device(string hostPath);

    /// <summary>Every char and block device under /dev (for privileged containers).</summary>
    IReadOnlyList<OciDevice> AllDevices();
}
