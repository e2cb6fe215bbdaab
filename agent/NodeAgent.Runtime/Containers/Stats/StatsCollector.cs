using NodeAgent.Runtime.Sandboxes;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Containers.Stats;

/// <summary>
/// Container and pod usage from the cgroups runc made (one reader for the host's cgroup version),
/// the snapshotter's writable layers and the pod netns's counters.
/// </summary>
public sealed class StatsCollector(ICgroupStatsReader cgroups, ISnapshotter snapshots, string filesystemMountpoint, TimeProvider time)
{
    private readonly CpuRateTracker _cpu = new();

    public async Task<ContainerUsage> ContainerAsync(ContainerRecord container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(container);
        var layer = await snapshots.ActiveUsageAsync(container.Id, cancellationToken);
        var now = time.GetUtcNow();
        var sample = container.State == ContainerPhase.Exited || string.IsNullOrEmpty(container.CgroupsPath) ? null : cgroups.Read(container.CgroupsPath);
        return new ContainerUsage(
            container,
            now,
            Cpu(container.Id, container.StartedAt ?? container.CreatedAt, now, sample),
            sample?.Memory,
            new WritableLayerStats(filesystemMountpoint, (ulong)layer.Bytes, (ulong)layer.Inodes),
            sample?.ProcessCount);
    }

    public async Task<PodUsage> SandboxAsync(SandboxRecord sandbox, IReadOnlyList<ContainerRecord> containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(containers);
        var usages = new List<ContainerUsage>(containers.Count);
        foreach (var container in containers)
        {
            usages.Add(await ContainerAsync(container, cancellationToken));
        }

        var now = time.GetUtcNow();
        var sample = string.IsNullOrEmpty(sandbox.CgroupParent) ? null : cgroups.Read(sandbox.CgroupParent);
        // A host-network pod has no netns of its own: the node's counters are not the pod's.
        var interfaces = sandbox.HostNetwork || !SandboxManager.IsInfraAlive(sandbox) || ProcessInNetns(sandbox, containers) is not { } pid
            ? null
            : NetDevReader.ReadForProcess(pid);
        return new PodUsage(sandbox, now, Cpu(sandbox.Id, sandbox.CreatedAt, now, sample), sample?.Memory, interfaces, sample?.ProcessCount, usages);
    }

    /// <summary>A process in the pod's netns: the infra process, or for a sandbox without one any running container's.</summary>
    private static int? ProcessInNetns(SandboxRecord sandbox, IReadOnlyList<ContainerRecord> containers)
        => sandbox.InfraPid > 0
            ? sandbox.InfraPid
            : containers.Where(c => c.Pid > 0 && Oci.ProcessSignals.IsAlive(c.Pid)).Select(c => (int?)c.Pid).FirstOrDefault();

    /// <summary>Forgets CPU samples of containers and sandboxes that are gone (called with every id that still exists).</summary>
    public void Retain(IReadOnlySet<string> ids) => _cpu.Retain(ids);

    private CpuStats? Cpu(string key, DateTimeOffset startedAt, DateTimeOffset now, CgroupSample? sample)
        => sample?.CpuUsageNanoseconds is { } usage ? new CpuStats(usage, _cpu.Rate(key, startedAt, now, usage)) : null;
}
