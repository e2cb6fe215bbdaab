using k8s.Models;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Eviction;

/// <summary>
/// Measures what pods use, as kubelet's summary stats do: CRI ListContainerStats for each container's memory working
/// set and writable layer, the size of its CRI log files, and the bytes under each emptyDir volume's directory.
/// </summary>
public sealed class PodUsageCollector(RuntimeService.RuntimeServiceClient runtime, NodeOptions options)
{
    private const string EmptyDirPlugin = "kubernetes.io~empty-dir";

    public async Task<IReadOnlyDictionary<string, PodUsage>> CollectAsync(IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pods);
        var stats = (await runtime.ListContainerStatsAsync(new ListContainerStatsRequest(), cancellationToken: cancellationToken).ConfigureAwait(false)).Stats;
        var result = new Dictionary<string, PodUsage>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var uid = pod.Metadata.Uid;
            var logs = Path.Combine(options.PodLogsRoot, $"{SandboxConfigBuilder.Namespace(pod)}_{pod.Metadata.Name}_{uid}");
            var containers = stats
                .Where(s => s.Attributes?.Labels is { } labels && labels.TryGetValue(PodLabels.PodUid, out var owner) && owner == uid)
                .GroupBy(s => s.Attributes.Metadata?.Name ?? string.Empty)
                .Select(g =>
                {
                    // Several attempts of one container: the newest one runs; the dead ones' layers still take disk.
                    var memory = g.Max(s => (long)(s.Memory?.WorkingSetBytes?.Value ?? 0));
                    var rootfs = g.Sum(s => (long)(s.WritableLayer?.UsedBytes?.Value ?? 0));
                    return new ContainerUsage(g.Key, memory, rootfs, DirectoryBytes(Path.Combine(logs, g.Key)));
                })
                .ToList();
            var volumes = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var volume in pod.Spec?.Volumes ?? [])
            {
                if (volume.EmptyDir is not null)
                {
                    volumes[volume.Name] = DirectoryBytes(Path.Combine(options.PodsRoot, uid, "volumes", EmptyDirPlugin, volume.Name));
                }
            }

            result[uid] = new PodUsage(containers, volumes);
        }

        return result;
    }

    /// <summary>Bytes of the regular files under a directory (symlinks not followed); 0 when it does not exist.</summary>
    public static long DirectoryBytes(string path)
    {
        if (!Directory.Exists(path))
        {
            return 0;
        }

        var total = 0L;
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(path));
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            try
            {
                foreach (var entry in directory.EnumerateFileSystemInfos())
                {
                    if (entry.LinkTarget is not null)
                    {
                        continue;
                    }

                    if (entry is DirectoryInfo sub)
                    {
                        pending.Push(sub);
                    }
                    else if (entry is FileInfo file)
                    {
                        total += file.Length;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed while walking (the pod is being torn down): count what was seen.
            }
        }

        return total;
    }
}
