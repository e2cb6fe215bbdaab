using System.Formats.Tar;
using System.Text;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Images.Unpack;

/// <summary>
/// Applies tar entries, one at a time, below a root directory in overlayfs form. Never writes
/// through a symlink: every parent directory is checked with lstat (once, then remembered) and
/// leaves are created with O_EXCL / *at(AT_SYMLINK_NOFOLLOW) calls, replacing whatever was there.
/// Directory mtimes are set last, because creating their children changes them.
/// </summary>
internal sealed unsafe class LayerApplier
{
    private const string WhiteoutPrefix = ".wh.";
    private const string WhiteoutMetaPrefix = ".wh..wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const string OpaqueXattr = "trusted.overlay.opaque";
    private const string PaxXattrPrefix = "SCHILY.xattr.";

    // overlayfs' own metadata must come only from us, never from a layer.
    private const string OverlayXattrPrefix = "trusted.overlay.";

    private const uint PermissionBits = 0xFFF; // 07777: rwx plus setuid, setgid, sticky
    private const uint ImplicitDirectoryMode = 0x1ED; // 0755, as tar gives missing parents
    private const uint PrivateMode = 0x180; // 0600 until the real mode is set

    private readonly string _root;
    private readonly HashSet<string> _verifiedDirectories = new(StringComparer.Ordinal) { string.Empty };
    private readonly Dictionary<string, Libc.Timespec> _directoryTimes = new(StringComparer.Ordinal);
    private readonly byte[] _buffer;
    private readonly bool _canChown = Libc.GetEuid() == 0;

    /// <param name="copyBuffer">File data passes through it; the caller owns it (pinned only while a file is copied).</param>
    public LayerApplier(string root, byte[] copyBuffer)
    {
        _root = root.TrimEnd('/');
        _buffer = copyBuffer;
    }

    /// <summary>Entries applied (files, dirs, links, whiteouts …).</summary>
    public long EntryCount { get; private set; }

    public void Apply(TarEntry entry)
    {
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
        {
            return; // archive-wide PAX records (e.g. a comment); image builders do not put file metadata there
        }

        var name = entry.Name;
        var path = LayerPath.Normalize(name, name);
        var baseName = LayerPath.NameOf(path);
        if (baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(name, LayerPath.ParentOf(path), baseName);
            return;
        }

        if (path.Length == 0 && entry.EntryType != TarEntryType.Directory)
        {
            throw LayerPath.Unsafe(name, "it would replace the root directory");
        }

        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                ApplyDirectory(entry, path);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                ApplyFile(entry, path);
                break;
            case TarEntryType.SymbolicLink:
                ApplySymlink(entry, path);
                break;
            case TarEntryType.HardLink:
                ApplyHardLink(entry, path);
                break;
            case TarEntryType.Fifo:
                ApplyFifo(entry, path);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                throw LayerPath.Unsafe(name, $"device nodes ({entry.EntryType}) are not allowed in layers");
            default:
                throw new InvalidDataException($"layer entry '{name}': unsupported tar entry type {entry.EntryType}");
        }

        EntryCount++;
    }

    /// <summary>Sets the deferred directory mtimes; call once after the last entry.</summary>
    public void Finish()
    {
        foreach (var (path, time) in _directoryTimes)
        {
            SetTimes(Full(path), time, ignoreMissing: true);
        }

        _directoryTimes.Clear();
    }

    private void ApplyDirectory(TarEntry entry, string path)
    {
        var full = Full(path);
        if (path.Length > 0)
        {
            EnsureDirectory(LayerPath.ParentOf(path), entry.Name);
            if (Libc.Mkdir(full, PrivateMode) != 0)
            {
                var errno = Libc.LastError;
                if (errno != Libc.EExist)
                {
                    throw Libc.Error("mkdir", full, errno);
                }

                // A directory over a directory merges; over anything else it replaces.
                if (!IsDirectory(full))
                {
                    RemoveExisting(path);
                    Check(Libc.Mkdir(full, PrivateMode), "mkdir", full);
                }
            }

            _verifiedDirectories.Add(path);
        }

        if (_canChown)
        {
            Check(Libc.LChown(full, entry.Uid, entry.Gid), "lchown", full);
        }

        Check(Libc.Chmod(full, ModeOf(entry)), "chmod", full);
        SetXattrs(entry, full, fd: -1);
        _directoryTimes[path] = ToTimespec(entry.ModificationTime);
    }

    private void ApplyFile(TarEntry entry, string path)
    {
        EnsureDirectory(LayerPath.ParentOf(path), entry.Name);
        var full = Full(path);
        const int flags = Libc.OWrOnly | Libc.OCreat | Libc.OExcl | Libc.OCloExec;

        // O_EXCL never follows a symlink at the leaf: an existing entry of any kind fails with EEXIST and is replaced.
        var fd = Libc.Open(full, flags, PrivateMode);
        if (fd < 0 && Libc.LastError == Libc.EExist)
        {
            RemoveExisting(path);
            fd = Libc.Open(full, flags, PrivateMode);
        }

        if (fd < 0)
        {
            throw Libc.Error("open", full, Libc.LastError);
        }

        try
        {
            if (entry.DataStream is { } data)
            {
                CopyTo(data, fd, full);
            }

            // chown first: it clears setuid/setgid and file capabilities, so mode and xattrs follow it.
            if (_canChown)
            {
                Check(Libc.FChown(fd, entry.Uid, entry.Gid), "fchown", full);
            }

            Check(Libc.FChmod(fd, ModeOf(entry)), "fchmod", full);
            SetXattrs(entry, full, fd);
            var times = stackalloc Libc.Timespec[2];
            times[0] = new Libc.Timespec { Nanoseconds = Libc.UtimeOmit };
            times[1] = ToTimespec(entry.ModificationTime);
            Check(Libc.FUtimens(fd, times), "futimens", full);
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    private void ApplySymlink(TarEntry entry, string path)
    {
        if (entry.LinkName.Length == 0 || entry.LinkName.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidDataException($"layer entry '{entry.Name}': symlink without a valid target");
        }

        // The target is only stored, never followed here: an absolute or ".." target is fine in the image.
        EnsureDirectory(LayerPath.ParentOf(path), entry.Name);
        var full = Full(path);
        Create(path, full, "symlink", () => Libc.Symlink(entry.LinkName, full));
        if (_canChown)
        {
            Check(Libc.LChown(full, entry.Uid, entry.Gid), "lchown", full);
        }

        SetXattrs(entry, full, fd: -1);
        SetTimes(full, ToTimespec(entry.ModificationTime), ignoreMissing: false);
    }

    private void ApplyHardLink(TarEntry entry, string path)
    {
        var target = LayerPath.Normalize(entry.LinkName, entry.Name, "hardlink target");
        if (target.Length == 0)
        {
            throw LayerPath.Unsafe(entry.Name, "hardlink to the root directory");
        }

        VerifyExistingDirectory(LayerPath.ParentOf(target), entry.Name);
        var targetFull = Full(target);
        var errno = Libc.LStat(targetFull, out var targetStat);
        if (errno != 0)
        {
            throw new InvalidDataException($"layer entry '{entry.Name}': hardlink target '{entry.LinkName}' does not exist in the layer");
        }

        if (targetStat.IsDirectory)
        {
            throw new InvalidDataException($"layer entry '{entry.Name}': hardlink target '{entry.LinkName}' is a directory");
        }

        if (target == path)
        {
            return;
        }

        EnsureDirectory(LayerPath.ParentOf(path), entry.Name);
        var full = Full(path);

        // linkat without AT_SYMLINK_FOLLOW links a symlink itself, never what it points at.
        Create(path, full, "link", () => Libc.Linkat(Libc.AtFdCwd, targetFull, Libc.AtFdCwd, full, 0));
    }

    private void ApplyFifo(TarEntry entry, string path)
    {
        EnsureDirectory(LayerPath.ParentOf(path), entry.Name);
        var full = Full(path);
        Create(path, full, "mknod", () => Libc.Mknod(full, Libc.SIfIfo | PrivateMode, 0));
        if (_canChown)
        {
            Check(Libc.LChown(full, entry.Uid, entry.Gid), "lchown", full);
        }

        Check(Libc.Chmod(full, ModeOf(entry)), "chmod", full);
        SetXattrs(entry, full, fd: -1);
        SetTimes(full, ToTimespec(entry.ModificationTime), ignoreMissing: false);
    }

    /// <summary><c>.wh.NAME</c> → a 0:0 char device NAME; <c>.wh..wh..opq</c> → the parent becomes opaque.</summary>
    private void ApplyWhiteout(string entryName, string directory, string marker)
    {
        if (marker == OpaqueMarker)
        {
            EnsureDirectory(directory, entryName);
            var full = Full(directory);
            var value = (byte)'y';
            Check(Libc.LSetXattr(full, OpaqueXattr, &value, 1, 0), "setxattr " + OpaqueXattr, full);
            EntryCount++;
            return;
        }

        if (marker.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal))
        {
            // Other aufs metadata (.wh..wh.plnk, …) means nothing to overlayfs.
            return;
        }

        var hidden = marker[WhiteoutPrefix.Length..];
        if (hidden is "" or "." or "..")
        {
            throw LayerPath.Unsafe(entryName, $"whiteout of '{hidden}'");
        }

        EnsureDirectory(directory, entryName);
        var path = LayerPath.Join(directory, hidden);
        var target = Full(path);
        Create(path, target, "mknod", () => Libc.Mknod(target, Libc.SIfChr, 0));
        EntryCount++;
    }

    /// <summary>Makes sure <paramref name="path"/> is a real directory, creating missing ones; a symlink on the way is refused.</summary>
    private void EnsureDirectory(string path, string entryName)
    {
        if (_verifiedDirectories.Contains(path))
        {
            return;
        }

        EnsureDirectory(LayerPath.ParentOf(path), entryName);
        var full = Full(path);
        if (Libc.Mkdir(full, ImplicitDirectoryMode) == 0)
        {
            // mkdir applied the umask; tar gives implicit parents 0755.
            Check(Libc.Chmod(full, ImplicitDirectoryMode), "chmod", full);
            _verifiedDirectories.Add(path);
            return;
        }

        var errno = Libc.LastError;
        if (errno != Libc.EExist)
        {
            throw Libc.Error("mkdir", full, errno);
        }

        VerifyDirectory(path, full, entryName);
    }

    /// <summary>Like <see cref="EnsureDirectory"/> but creates nothing (for hardlink targets).</summary>
    private void VerifyExistingDirectory(string path, string entryName)
    {
        if (_verifiedDirectories.Contains(path))
        {
            return;
        }

        VerifyExistingDirectory(LayerPath.ParentOf(path), entryName);
        VerifyDirectory(path, Full(path), entryName);
    }

    private void VerifyDirectory(string path, string full, string entryName)
    {
        var errno = Libc.LStat(full, out var stat);
        if (errno == Libc.ENoEnt)
        {
            throw new InvalidDataException($"layer entry '{entryName}': '{path}' does not exist in the layer");
        }

        if (errno != 0)
        {
            throw Libc.Error("lstat", full, errno);
        }

        if (stat.IsSymlink)
        {
            throw LayerPath.Unsafe(entryName, $"'{path}' is a symlink; writing through a symlink is not allowed");
        }

        if (!stat.IsDirectory)
        {
            throw new InvalidDataException($"layer entry '{entryName}': '{path}' is not a directory");
        }

        _verifiedDirectories.Add(path);
    }

    /// <summary>Runs a create call; on EEXIST removes what is there (never following it) and tries once more.</summary>
    private void Create(string path, string full, string call, Func<int> create)
    {
        if (create() == 0)
        {
            return;
        }

        var errno = Libc.LastError;
        if (errno != Libc.EExist)
        {
            throw Libc.Error(call, full, errno);
        }

        RemoveExisting(path);
        Check(create(), call, full);
    }

    private void RemoveExisting(string path)
    {
        var full = Full(path);
        var errno = Libc.LStat(full, out var stat);
        if (errno == Libc.ENoEnt)
        {
            return;
        }

        if (errno != 0)
        {
            throw Libc.Error("lstat", full, errno);
        }

        if (!stat.IsDirectory)
        {
            Check(Libc.Unlink(full), "unlink", full);
            return;
        }

        // Parents are verified, and a recursive delete unlinks symlinks inside rather than following them.
        Directory.Delete(full, recursive: true);
        var prefix = path + "/";
        _verifiedDirectories.RemoveWhere(p => p == path || p.StartsWith(prefix, StringComparison.Ordinal));
        foreach (var key in _directoryTimes.Keys.Where(p => p == path || p.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _directoryTimes.Remove(key);
        }
    }

    private void CopyTo(Stream data, int fd, string full)
    {
        fixed (byte* buffer = _buffer)
        {
            int read;
            while ((read = data.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                var offset = 0;
                while (offset < read)
                {
                    var written = Libc.Write(fd, buffer + offset, read - offset);
                    if (written < 0)
                    {
                        var errno = Libc.LastError;
                        if (errno == Libc.EIntr)
                        {
                            continue;
                        }

                        throw Libc.Error("write", full, errno);
                    }

                    offset += (int)written;
                }
            }
        }
    }

    /// <summary>PAX <c>SCHILY.xattr.*</c> records, best effort (a file system may refuse some names).</summary>
    private static void SetXattrs(TarEntry entry, string full, int fd)
    {
        if (entry is not PaxTarEntry pax)
        {
            return;
        }

        foreach (var (key, value) in pax.ExtendedAttributes)
        {
            if (!key.StartsWith(PaxXattrPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = key[PaxXattrPrefix.Length..];
            // System.Formats.Tar decodes PAX values as UTF-8, so a binary value that was not valid UTF-8 is lost.
            if (name.Length == 0 || name.StartsWith(OverlayXattrPrefix, StringComparison.Ordinal) || value.Contains('\uFFFD', StringComparison.Ordinal))
            {
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* pointer = bytes)
            {
                _ = fd >= 0
                    ? Libc.FSetXattr(fd, name, pointer, (nuint)bytes.Length, 0)
                    : Libc.LSetXattr(full, name, pointer, (nuint)bytes.Length, 0);
            }
        }
    }

    private static void SetTimes(string full, Libc.Timespec modified, bool ignoreMissing)
    {
        var times = stackalloc Libc.Timespec[2];
        times[0] = new Libc.Timespec { Nanoseconds = Libc.UtimeOmit };
        times[1] = modified;
        if (Libc.Utimensat(Libc.AtFdCwd, full, times, Libc.AtSymlinkNoFollow) != 0)
        {
            var errno = Libc.LastError;
            if (!(ignoreMissing && errno == Libc.ENoEnt))
            {
                throw Libc.Error("utimensat", full, errno);
            }
        }
    }

    private static bool IsDirectory(string full) => Libc.LStat(full, out var stat) == 0 && stat.IsDirectory;

    private static uint ModeOf(TarEntry entry) => (uint)entry.Mode & PermissionBits;

    private static Libc.Timespec ToTimespec(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        return new Libc.Timespec { Seconds = seconds, Nanoseconds = remainder * 100 };
    }

    private static void Check(int result, string call, string path)
    {
        if (result != 0)
        {
            throw Libc.Error(call, path, Libc.LastError);
        }
    }

    private string Full(string path) => path.Length == 0 ? _root : _root + "/" + path;
}
