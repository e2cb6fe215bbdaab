namespace NodeAgent.Testing.Leaks;

/// <summary>
/// A bounded breadth-first walk that reports entries whose name carries the prefix and does not
/// descend into them (their contents leaked with them). Entries that vanish mid-walk are skipped:
/// other tests create and remove things concurrently.
/// </summary>
public static class DirectoryWalk
{
    public static IReadOnlyList<string> FindMatching(string root, string prefix, int maxDepth, bool includeFiles = false)
    {
        var found = new List<string>();
        var level = new List<string> { root };
        for (var depth = 1; depth <= maxDepth && level.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (var directory in level)
            {
                foreach (var entry in ListDirectories(directory, includeFiles))
                {
                    if (PrefixMatch.Matches(Path.GetFileName(entry), prefix))
                    {
                        found.Add(entry);
                    }
                    else if (Directory.Exists(entry) && !IsSymlink(entry))
                    {
                        next.Add(entry);
                    }
                }
            }

            level = next;
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static List<string> ListDirectories(string directory, bool includeFiles)
    {
        try
        {
            return includeFiles
                ? Directory.EnumerateFileSystemEntries(directory).ToList()
                : Directory.EnumerateDirectories(directory).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool IsSymlink(string path)
    {
        try
        {
            return new DirectoryInfo(path).LinkTarget is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
