namespace NodeAgent.Runtime.Snapshots;

/// <summary>Allocated bytes (st_blocks × 512, as du counts) and inodes below a directory; hard links count once, symlinks are not followed.</summary>
internal static class SnapshotDiskUsage
{
    private static readonly EnumerationOptions Children = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = true,
        ReturnSpecialDirectories = false,
    };

    public static SnapshotUsage Measure(string root, CancellationToken cancellationToken)
    {
        var tally = new Tally();
        if (!tally.Add(root, out _))
        {
            return new SnapshotUsage(0, 0);
        }

        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.TryPop(out var directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<string> entries;
            try
            {
                entries = [.. Directory.EnumerateFileSystemEntries(directory, "*", Children)];
            }
            catch (DirectoryNotFoundException)
            {
                continue; // removed while we walked
            }

            foreach (var entry in entries)
            {
                if (tally.Add(entry, out var isDirectory) && isDirectory)
                {
                    pending.Push(entry);
                }
            }
        }

        return new SnapshotUsage(tally.Bytes, tally.Inodes);
    }

    private sealed class Tally
    {
        private readonly HashSet<(uint Major, uint Minor, ulong Inode)> _linked = [];

        public long Bytes { get; private set; }

        public long Inodes { get; private set; }

        /// <summary>Counts one path (unless it is a further name of an inode already counted); false if it vanished.</summary>
        public bool Add(string path, out bool isDirectory)
        {
            isDirectory = false;
            if (Libc.LStat(path, out var stat) != 0)
            {
                return false;
            }

            isDirectory = stat.IsDirectory;
            if (!isDirectory && stat.LinkCount > 1 && !_linked.Add((stat.DevMajor, stat.DevMinor, stat.Inode)))
            {
                return true;
            }

            Bytes += (long)stat.Blocks * 512;
            Inodes++;
            return true;
        }
    }
}
