using System.Globalization;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>LinuxContainerResources → cgroup limits (and the process's oom_score_adj).</summary>
public static class ResourcesBuilder
{
    /// <summary>The resources object without device rules (<see cref="DevicesBuilder"/> adds those).</summary>
    public static OciResources Build(LinuxContainerResources? resources, ISpecHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (resources is null)
        {
            return new OciResources();
        }

        var (unified, pids) = Unified(resources.Unified, host.IsCgroupV2);
        return new OciResources
        {
            Cpu = Cpu(resources),
            Memory = Memory(resources, host.SwapLimitSupported),
            Pids = pids,
            HugepageLimits = resources.HugepageLimits.Count == 0 ? null : [.. resources.HugepageLimits.Select(h => new OciHugepageLimit(h.PageSize, h.Limit))],
            Unified = unified,
        };
    }

    /// <summary>
    /// Never negative: root here lacks CAP_SYS_RESOURCE, so the kernel refuses to go below 0 (or below the
    /// agent's own value). containerd calls the same clamp restrict_oom_score_adj.
    /// </summary>
    public static int OomScoreAdj(LinuxContainerResources? resources, ISpecHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var requested = (int)Math.Clamp(resources?.OomScoreAdj ?? 0, -1000, 1000);
        return Math.Max(requested, Math.Max(0, host.OwnOomScoreAdj));
    }

    private static OciCpu? Cpu(LinuxContainerResources r)
    {
        var cpu = new OciCpu
        {
            Shares = r.CpuShares > 0 ? (ulong)r.CpuShares : null,
            Quota = r.CpuQuota != 0 ? r.CpuQuota : null,
            Period = r.CpuPeriod > 0 ? (ulong)r.CpuPeriod : null,
            Cpus = string.IsNullOrEmpty(r.CpusetCpus) ? null : r.CpusetCpus,
            Mems = string.IsNullOrEmpty(r.CpusetMems) ? null : r.CpusetMems,
        };
        return cpu == new OciCpu() ? null : cpu;
    }

    /// <summary>
    /// Swap defaults to the memory limit, i.e. no swap on top of it (what kubelet expects); left out where
    /// the kernel has no swap accounting, as containerd does, since runc would fail to write it.
    /// </summary>
    private static OciMemory? Memory(LinuxContainerResources r, bool swapSupported)
        => r.MemoryLimitInBytes > 0
            ? new OciMemory
            {
                Limit = r.MemoryLimitInBytes,
                Swap = !swapSupported ? null : r.MemorySwapLimitInBytes > 0 ? r.MemorySwapLimitInBytes : r.MemoryLimitInBytes,
            }
            : null;

    /// <summary>
    /// pids.max becomes pids.limit on either cgroup version (it is the one unified key kubelet sends that
    /// v1 can honour). The rest of the map passes through only on v2: runc refuses it on v1.
    /// </summary>
    private static (IReadOnlyDictionary<string, string>? Unified, OciPids? Pids) Unified(Google.Protobuf.Collections.MapField<string, string> unified, bool cgroupV2)
    {
        OciPids? pids = null;
        if (unified.TryGetValue("pids.max", out var max) && max != "max")
        {
            pids = long.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0
                ? new OciPids(limit)
                : throw new RuntimeException(RuntimeErrorKind.Invalid, $"unified pids.max \"{max}\" is not a positive number or \"max\"");
        }

        var rest = unified.Where(kv => kv.Key != "pids.max").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var key in rest.Keys)
        {
            if (key.Contains('/', StringComparison.Ordinal) || key.Contains("..", StringComparison.Ordinal))
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"unified key \"{key}\" is not a cgroup file name");
            }
        }

        return (cgroupV2 && rest.Count > 0 ? new SortedDictionary<string, string>(rest, StringComparer.Ordinal) : null, pids);
    }
}
