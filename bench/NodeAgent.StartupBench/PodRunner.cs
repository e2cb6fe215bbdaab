using System.Globalization;
using k8s;
using k8s.Models;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;

namespace NodeAgent.StartupBench;

/// <summary>Creates a phase's pods (one by one or all at once), waits for them through the timeline, then deletes them.</summary>
internal sealed class PodRunner(IKubernetes client, CriClient cri, PodTimeline timeline, string image, int serverPid, ServerCgroup? group, List<string> uids)
{
    private static readonly TimeSpan PhaseLimit = TimeSpan.FromMinutes(5);

    public async Task<PhaseFigures> RunAsync(IReadOnlyList<string> names, bool atOnce, CancellationToken ct)
    {
        var loadBefore = LoadAverage();
        var cpuBefore = CpuSample.Take(serverPid, group);
        if (atOnce)
        {
            await Task.WhenAll(names.Select(n => CreateAsync(n, ct)));
            await Task.WhenAll(names.Select(n => timeline.For(n).AllStarted.Task)).WaitAsync(PhaseLimit, ct);
        }
        else
        {
            foreach (var name in names)
            {
                await CreateAsync(name, ct);
                await timeline.For(name).AllStarted.Task.WaitAsync(PhaseLimit, ct);
            }
        }

        var cpu = CpuSample.Take(serverPid, group).Since(cpuBefore, names.Count);
        var figures = Measure(names, $"{loadBefore} → {LoadAverage()}") with
        {
            ServerCpuMsPerPod = cpu.ServerMsPerPod,
            GroupCpuMsPerPod = cpu.GroupMsPerPod,
            PodsCpuMsPerPod = cpu.PodsMsPerPod,
            MachineBusyPercent = cpu.MachineBusyPercent,
        };
        await DeleteAsync(names, ct);
        return figures;
    }

    private PhaseFigures Measure(IReadOnlyList<string> names, string load)
    {
        var moments = names.Select(timeline.For).ToList();
        var latencies = moments.Select(m => m.Started!.Value - m.Created!.Value).Order().ToList();
        var window = moments.Max(m => m.Started!.Value) - moments.Min(m => m.Created!.Value);
        return new PhaseFigures(
            names.Count,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            names.Count / (window / 1000.0),
            Percentile(moments.Select(m => m.Bound!.Value - m.Created!.Value).Order().ToList(), 0.50),
            Percentile(moments.Select(m => m.Started!.Value - m.Bound!.Value).Order().ToList(), 0.50),
            load);
    }

    private async Task CreateAsync(string name, CancellationToken ct)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["bench"] = "startup" } },
            Spec = new V1PodSpec
            {
                TerminationGracePeriodSeconds = 0,
                Containers =
                [
                    new V1Container { Name = "main", Image = image, ImagePullPolicy = "IfNotPresent", Command = ["/bin/sleep", "3600"] },
                ],
            },
        };
        var created = await client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: ct);
        lock (uids)
        {
            uids.Add(created.Metadata.Uid);
        }
    }

    /// <summary>Deletes the phase's pods and waits until the node removed their sandboxes, so phases never overlap.</summary>
    private async Task DeleteAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        await Task.WhenAll(names.Select(n => client.CoreV1.DeleteNamespacedPodAsync(n, "default", gracePeriodSeconds: 0, cancellationToken: ct)));
        await Task.WhenAll(names.Select(n => timeline.For(n).Gone.Task)).WaitAsync(PhaseLimit, ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(PhaseLimit);
        await Eventually.UntilAsync(
            async probe => (await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: probe)).Items.Count == 0,
            "the node to remove the phase's sandboxes",
            limit.Token);
    }

    private static double Percentile(List<double> sorted, double q)
        => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}

/// <summary>Pod-level cgroups (<c>kubepods[/burstable|/besteffort]/pod&lt;uid&gt;</c>) a runtime may leave once its pods are gone.</summary>
internal static class PodCgroups
{
    private static readonly string[] Parents = ["kubepods", "kubepods/burstable", "kubepods/besteffort"];

    public static void Remove(IEnumerable<string> uids)
    {
        var names = uids.Select(u => "pod" + u).ToHashSet(StringComparer.Ordinal);
        foreach (var controller in Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup") : [])
        {
            foreach (var parent in Parents.Select(p => Path.Combine(controller, p)).Where(Directory.Exists))
            {
                foreach (var dir in Directory.GetDirectories(parent).Where(d => names.Contains(Path.GetFileName(d))))
                {
                    try
                    {
                        Directory.Delete(dir);
                    }
                    catch (IOException e)
                    {
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cgroup {dir} not removed: {e.Message}"));
                    }
                }
            }
        }
    }
}
