namespace NodeAgent.Node.Pods;

/// <summary>
/// Removes a pod's cgroup (<c>kubepods[/qos]/pod&lt;uid&gt;</c>) once its sandboxes are gone. The node names
/// it as the sandbox's cgroup parent, so it is the node's to remove, as kubelet does: runc creates parents
/// with mkdir -p but removes only each container's own leaf, and the runtime leaves a parent its client named.
/// </summary>
public sealed class PodCgroups(string cgroupRoot, string hierarchyRoot = "/sys/fs/cgroup")
{
    private static readonly string[] QosParents = ["kubepods", "kubepods/burstable", "kubepods/besteffort"];

    /// <summary>
    /// rmdir of the pod's cgroup under every QoS parent in every hierarchy (the QoS class is unknown for a
    /// pod already gone from the API), deepest first. A cgroup that still has processes refuses rmdir and
    /// stays: it is never forced.
    /// </summary>
    public void Remove(string podUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(podUid);
        if (podUid.Contains('/', StringComparison.Ordinal) || podUid.StartsWith('.') || !Directory.Exists(hierarchyRoot))
        {
            return;
        }

        var root = cgroupRoot.Trim('/');
        foreach (var hierarchy in Directory.EnumerateDirectories(hierarchyRoot).Prepend(hierarchyRoot))
        {
            foreach (var qos in QosParents)
            {
                RemoveEmptyTree(Path.Combine(hierarchy, root, qos, "pod" + podUid));
            }
        }
    }

    private static void RemoveEmptyTree(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        try
        {
            // A container leaf left by a crash sits below the pod; cgroupfs only ever removes empty directories.
            foreach (var child in Directory.EnumerateDirectories(directory))
            {
                RemoveEmptyTree(child);
            }

            Directory.Delete(directory);
        }
        catch (IOException)
        {
            // Still populated (a process is alive in it): not ours to force.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
