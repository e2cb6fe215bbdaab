namespace NodeAgent.Runtime.Containers;

/// <summary>Whether the kernel's OOM killer struck in a container's memory cgroup (v1 memory.oom_control, v2 memory.events).</summary>
public static class CgroupOom
{
    public static bool WasKilled(string cgroupsPath, string cgroupRoot = "/sys/fs/cgroup")
    {
        if (string.IsNullOrEmpty(cgroupsPath))
        {
            return false;
        }

        var relative = cgroupsPath.TrimStart('/');
        return CountIn(Path.Combine(cgroupRoot, "memory", relative, "memory.oom_control"), "oom_kill") > 0
            || CountIn(Path.Combine(cgroupRoot, relative, "memory.events"), "oom_kill") > 0;
    }

    /// <summary>The value of a "key value" line in a cgroup flat-keyed file; 0 when absent.</summary>
    internal static long CountIn(string path, string key)
    {
        // Only one of the two files exists (v1 or v2): a stat spares the thrown exception for the other.
        if (!File.Exists(path))
        {
            return 0;
        }

        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
