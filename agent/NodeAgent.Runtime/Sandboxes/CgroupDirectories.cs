namespace NodeAgent.Runtime.Sandboxes;

/// <summary>
/// Removes a pod cgroup the runtime created itself (runc creates parents with mkdir -p but only
/// removes each container's own leaf). One directory per hierarchy: every v1 controller mount
/// under the cgroup root, and the root itself on a v2-only host.
/// </summary>
public static class CgroupDirectories
{
    /// <summary>rmdir of <paramref name="cgroupPath"/> in every hierarchy; a missing or still-populated directory is left alone.</summary>
    public static void RemoveEmpty(string cgroupPath, string cgroupRoot = "/sys/fs/cgroup")
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
        var relative = cgroupPath.Trim('/');
        if (relative.Length == 0 || !Directory.Exists(cgroupRoot))
        {
            return;
        }

        foreach (var hierarchy in Directory.EnumerateDirectories(cgroupRoot).Prepend(cgroupRoot))
        {
            var directory = Path.Combine(hierarchy, relative);
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory);
                }
            }
            catch (IOException)
            {
                // Still has processes or child cgroups (another sandbox shares the parent): not ours to force.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
