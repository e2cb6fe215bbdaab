using System.Formats.Tar;
using System.IO.Compression;

namespace NodeAgent.Testing.Images;

/// <summary>A built layer: the gzip blob with its digest, and the digest of the uncompressed tar (the diff_id).</summary>
public sealed record LayerBlob(ReadOnlyMemory<byte> Compressed, string Digest, string DiffId, string CreatedBy);

/// <summary>
/// Writes a layer as a reproducible tar.gz: GNU tar format, sorted entries (parents first,
/// whiteouts before their siblings as the OCI spec asks), one fixed mtime, uid/gid from the spec.
/// </summary>
public static class LayerArchive
{
    public static async Task<LayerBlob> CreateAsync(LayerSpec layer, DateTimeOffset modificationTime, CancellationToken cancellationToken)
    {
        var entries = WithParentDirectories(layer.Entries);
        entries.Sort(CompareTarNames);

        using var tar = new MemoryStream();
        var writer = new TarWriter(tar, TarEntryFormat.Gnu, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var entry in entries)
            {
                await WriteEntryAsync(writer, entry, modificationTime, cancellationToken).ConfigureAwait(false);
            }
        }

        using var compressed = new MemoryStream();
        var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            await gzip.WriteAsync(tar.GetBuffer().AsMemory(0, (int)tar.Length), cancellationToken).ConfigureAwait(false);
        }

        var blob = compressed.ToArray();
        return new LayerBlob(blob, Digests.Sha256(blob), Digests.Sha256(tar.GetBuffer().AsSpan(0, (int)tar.Length)), layer.CreatedBy);
    }

    private static async Task WriteEntryAsync(TarWriter writer, LayerEntry entry, DateTimeOffset modificationTime, CancellationToken cancellationToken)
    {
        var type = entry.Kind switch
        {
            LayerEntryKind.Directory => TarEntryType.Directory,
            LayerEntryKind.Symlink => TarEntryType.SymbolicLink,
            _ => TarEntryType.RegularFile,
        };
        var tarEntry = new GnuTarEntry(type, entry.TarName)
        {
            Mode = entry.Mode,
            Uid = entry.Uid,
            Gid = entry.Gid,
            ModificationTime = modificationTime,
            AccessTime = modificationTime,
            ChangeTime = modificationTime,
        };
        if (entry.Kind == LayerEntryKind.Symlink)
        {
            tarEntry.LinkName = entry.LinkTarget ?? throw new ArgumentException($"Symlink {entry.Path} has no target.", nameof(entry));
        }

        if (type != TarEntryType.RegularFile)
        {
            await writer.WriteEntryAsync(tarEntry, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var data = new MemoryStream(await ReadContentAsync(entry, cancellationToken).ConfigureAwait(false));
        tarEntry.DataStream = data;
        await writer.WriteEntryAsync(tarEntry, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadContentAsync(LayerEntry entry, CancellationToken cancellationToken)
    {
        if (entry.HostPath is null)
        {
            return entry.Content.ToArray();
        }

        if (entry.RequiredStaticPackage is not null)
        {
            await StaticElf.EnsureStaticAsync(entry.HostPath, entry.RequiredStaticPackage, cancellationToken).ConfigureAwait(false);
        }

        return await File.ReadAllBytesAsync(entry.HostPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a 0755 directory entry for every missing ancestor, so extractors never invent modes.</summary>
    private static List<LayerEntry> WithParentDirectories(IReadOnlyList<LayerEntry> entries)
    {
        var byTarName = new Dictionary<string, LayerEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!byTarName.TryAdd(entry.TarName, entry))
            {
                throw new ArgumentException($"The layer lists '{entry.TarName}' twice.", nameof(entries));
            }
        }

        foreach (var entry in entries)
        {
            for (var parent = LayerEntry.ParentOf(entry.TarName.TrimEnd('/')); parent.Length > 0; parent = LayerEntry.ParentOf(parent))
            {
                byTarName.TryAdd(parent + "/", LayerEntry.Directory(parent));
            }
        }

        return [.. byTarName.Values];
    }

    /// <summary>Component-wise ordinal order, so a directory precedes its contents; whiteouts come first among siblings.</summary>
    private static int CompareTarNames(LayerEntry left, LayerEntry right)
    {
        var a = left.TarName.TrimEnd('/').Split('/');
        var b = right.TarName.TrimEnd('/').Split('/');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var aWhiteout = a[i].StartsWith(".wh.", StringComparison.Ordinal);
            var bWhiteout = b[i].StartsWith(".wh.", StringComparison.Ordinal);
            if (aWhiteout != bWhiteout)
            {
                return aWhiteout ? -1 : 1;
            }

            var order = string.CompareOrdinal(a[i], b[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
