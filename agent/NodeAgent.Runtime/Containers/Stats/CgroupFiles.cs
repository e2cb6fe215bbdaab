using System.Globalization;

namespace NodeAgent.Runtime.Containers.Stats;

/// <summary>Readers of cgroupfs interface files; a file that is missing or unreadable reads as null.</summary>
internal static class CgroupFiles
{
    /// <summary>A file holding one number ("max" and other words read as null).</summary>
    public static ulong? ReadNumber(string path)
        => ReadText(path) is { } text && ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A flat-keyed file ("key value" per line: memory.stat, cpu.stat).</summary>
    public static Dictionary<string, ulong>? ReadKeyed(string path)
    {
        if (ReadText(path) is not { } text)
        {
            return null;
        }

        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                values[parts[0]] = value;
            }
        }

        return values;
    }

    public static ulong Get(Dictionary<string, ulong> values, string key) => values.TryGetValue(key, out var value) ? value : 0;

    /// <summary>The cgroup's directory in one hierarchy; cgroupsPath is absolute within it.</summary>
    public static string Directory(string hierarchy, string cgroupsPath) => Path.Combine(hierarchy, cgroupsPath.TrimStart('/'));

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null; // FileNotFound and DirectoryNotFound too: the cgroup went away
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
