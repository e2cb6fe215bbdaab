namespace NodeAgent.Runtime.Common;

/// <summary>Bytes and inodes used below a directory (hard links counted once, symlinks not followed).</summary>
public static class DirectoryUsage
{
    public static (long Bytes, long Inodes) Measure(string root)
    {
        if (!Directory.Exists(root))
        {
            return (0, 0);
        }

        long bytes = 0;
        long inodes = 1;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true, ReturnSpecialDirectories = false };
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", options))
        {
            inodes++;
            if (entry is FileInfo file && !entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                bytes += file.Length;
            }
        }

        return (bytes, inodes);
    }
}
