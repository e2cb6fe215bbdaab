using System.Globalization;

namespace NodeAgent.Node.Volumes;

/// <summary>
/// A file to project into a volume: relative path, content, permission bits, and the user to own it (kubelet's
/// FileProjection.FsUser: only a service account token, when every container runs as that one user).
/// </summary>
public sealed record VolumeFile(string Path, byte[] Content, UnixFileMode Mode, long? Owner = null);

/// <summary>
/// kubelet's AtomicWriter: the payload goes into a fresh timestamped directory, <c>..data</c> is swapped to it
/// with one rename, and each top-level entry is a symlink through <c>..data</c>. A reader never sees half an update.
/// </summary>
public static class AtomicWriter
{
    private const string DataDir = "..data";
    private const string DataDirTmp = "..data_tmp";

    /// <param name="fsGroup">The pod's <c>securityContext.fsGroup</c>: the whole volume gets this group and group read (kubelet's SetVolumeOwnership on a read-only volume).</param>
    /// <exception cref="ArgumentException">A path is absolute, contains '..' or starts with '..'.</exception>
    public static void Write(string targetDir, IReadOnlyCollection<VolumeFile> files, TimeProvider time, long? fsGroup = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(time);
        foreach (var file in files)
        {
            Validate(file.Path);
        }

        files = [.. files.Select(f => f with { Mode = VolumeOwnership.FileMode(f.Mode, fsGroup, readOnly: true) })];

        Directory.CreateDirectory(targetDir);
        var dataLink = Path.Combine(targetDir, DataDir);
        var old = File.Exists(dataLink) || Directory.Exists(dataLink) ? new FileInfo(dataLink).LinkTarget : null;
        if (old is not null && SameContent(Path.Combine(targetDir, old), files) && (fsGroup is null || FileKinds.GroupOf(dataLink) == fsGroup))
        {
            return;
        }

        var stamp = "..";
        stamp += time.GetUtcNow().ToString("yyyy_MM_dd_HH_mm_ss.fffffff", CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..8];
        var tsDir = Path.Combine(targetDir, stamp);
        Directory.CreateDirectory(tsDir);
        File.SetUnixFileMode(tsDir, (UnixFileMode)Convert.ToInt32("755", 8));
        foreach (var file in files)
        {
            var full = Path.Combine(tsDir, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, file.Content);
            File.SetUnixFileMode(full, file.Mode);
            if (file.Owner is { } uid)
            {
                FileKinds.SetOwner(full, uid);
            }
        }

        if (fsGroup is { } gid)
        {
            // As kubelet: the whole volume, before the swap, so the new payload is never visible with the wrong group.
            VolumeOwnership.Apply(targetDir, gid, readOnly: true);
        }

        var tmpLink = Path.Combine(targetDir, DataDirTmp);
        File.Delete(tmpLink);
        File.CreateSymbolicLink(tmpLink, stamp);
        // rename(2) replaces the old ..data link atomically.
        FileKinds.Rename(tmpLink, dataLink);

        var topLevel = files.Select(f => f.Path.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var name in topLevel)
        {
            var link = Path.Combine(targetDir, name);
            if (new FileInfo(link).LinkTarget is null)
            {
                File.CreateSymbolicLink(link, Path.Combine(DataDir, name));
            }
        }

        foreach (var entry in new DirectoryInfo(targetDir).EnumerateFileSystemInfos())
        {
            var isStampDir = entry.Name.StartsWith("..", StringComparison.Ordinal) && entry.Name is not DataDir && entry.Name != stamp;
            if (isStampDir)
            {
                Directory.Delete(entry.FullName, recursive: true);
            }
            else if (!entry.Name.StartsWith("..", StringComparison.Ordinal) && !topLevel.Contains(entry.Name) && entry.LinkTarget is not null)
            {
                // A key that went away: its link would dangle.
                entry.Delete();
            }
        }
    }

    public static void Validate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Path.IsPathRooted(path))
        {
            throw new ArgumentException($"path \"{path}\" must be relative", nameof(path));
        }

        if (path.Split('/').Contains("..") || path.StartsWith("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"path \"{path}\" must not contain '..'", nameof(path));
        }
    }

    private static bool SameContent(string dir, IReadOnlyCollection<VolumeFile> files)
    {
        if (!Directory.Exists(dir))
        {
            return false;
        }

        var existing = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).ToHashSet(StringComparer.Ordinal);
        if (existing.Count != files.Count)
        {
            return false;
        }

        return files.All(f => existing.Contains(f.Path)
            && File.GetUnixFileMode(Path.Combine(dir, f.Path)) == f.Mode
            && (f.Owner is null || FileKinds.OwnerOf(Path.Combine(dir, f.Path)) == f.Owner)
            && File.ReadAllBytes(Path.Combine(dir, f.Path)).AsSpan().SequenceEqual(f.Content));
    }
}
