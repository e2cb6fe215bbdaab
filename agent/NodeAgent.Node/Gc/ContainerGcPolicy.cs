using System.Globalization;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Gc;

/// <summary>A pod the runtime still has but the API no longer knows (by its uid label): it is terminated as a whole.</summary>
public sealed record OrphanPod(string Uid, string Namespace, string Name, long GracePeriodSeconds);

/// <summary>What one collection does: terminate orphaned pods, remove dead containers and sandboxes of live pods.</summary>
public sealed record ContainerGcPlan(IReadOnlyList<OrphanPod> OrphanPods, IReadOnlyList<string> Containers, IReadOnlyList<string> Sandboxes)
{
    public bool IsEmpty => OrphanPods.Count == 0 && Containers.Count == 0 && Sandboxes.Count == 0;
}

/// <summary>
/// kubelet's container GC as a pure decision over one listing of the runtime. Only objects carrying the
/// <c>io.kubernetes.pod.uid</c> label are considered (crictl's or another client's objects are left alone).
/// </summary>
public static class ContainerGcPolicy
{
    public static ContainerGcPlan Plan(
        IReadOnlyCollection<PodSandbox> sandboxes,
        IReadOnlyCollection<Container> containers,
        Func<string, bool> podIsActive,
        ContainerGcOptions options,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sandboxes);
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(podIsActive);
        ArgumentNullException.ThrowIfNull(options);

        var ownSandboxes = sandboxes.Where(s => UidOf(s.Labels) is not null).ToList();
        var ownContainers = containers.Where(c => UidOf(c.Labels) is not null).ToList();
        var orphans = ownSandboxes.Select(s => (Uid: UidOf(s.Labels)!, s.Labels))
            .Concat(ownContainers.Select(c => (Uid: UidOf(c.Labels)!, c.Labels)))
            .Where(o => !podIsActive(o.Uid))
            .GroupBy(o => o.Uid, StringComparer.Ordinal)
            .Select(g => new OrphanPod(
                g.Key,
                g.Select(o => o.Labels.GetValueOrDefault(PodLabels.PodNamespace)).FirstOrDefault(n => !string.IsNullOrEmpty(n)) ?? "default",
                g.Select(o => o.Labels.GetValueOrDefault(PodLabels.PodName)).FirstOrDefault(n => !string.IsNullOrEmpty(n)) ?? g.Key,
                GraceOf(ownContainers.Where(c => UidOf(c.Labels) == g.Key))))
            .ToList();

        var live = ownContainers.Where(c => podIsActive(UidOf(c.Labels)!)).ToList();
        var minCreated = (now - options.MinAge).ToUnixTimeMilliseconds() * 1_000_000;
        var deadContainers = live
            .Where(c => c.State == ContainerState.ContainerExited && c.CreatedAt <= minCreated)
            .GroupBy(c => (Uid: UidOf(c.Labels)!, Name: c.Labels.GetValueOrDefault(PodLabels.ContainerName) ?? c.Metadata?.Name ?? string.Empty))
            .SelectMany(g => g.OrderByDescending(c => c.CreatedAt).Skip(Math.Max(0, options.MaxPerPodContainer)))
            .Select(c => c.Id)
            .ToHashSet(StringComparer.Ordinal);

        // A not-ready sandbox of a live pod goes once no container is left in it, unless it is the pod's newest.
        var remaining = live.Where(c => !deadContainers.Contains(c.Id)).Select(c => c.PodSandboxId).ToHashSet(StringComparer.Ordinal);
        var deadSandboxes = ownSandboxes
            .Where(s => podIsActive(UidOf(s.Labels)!))
            .GroupBy(s => UidOf(s.Labels)!, StringComparer.Ordinal)
            .SelectMany(g => g.OrderByDescending(s => s.CreatedAt).Skip(1))
            .Where(s => s.State == PodSandboxState.SandboxNotready && !remaining.Contains(s.Id))
            .Select(s => s.Id)
            .ToList();

        return new ContainerGcPlan(orphans, deadContainers.ToList(), deadSandboxes);
    }

    private static string? UidOf(Google.Protobuf.Collections.MapField<string, string> labels)
        => labels.TryGetValue(PodLabels.PodUid, out var uid) && !string.IsNullOrEmpty(uid) ? uid : null;

    private static long GraceOf(IEnumerable<Container> containers)
        => containers
            .Select(c => c.Annotations.TryGetValue(PodLabels.TerminationGracePeriod, out var value) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : (long?)null)
            .FirstOrDefault(s => s is not null) ?? 0;
}
