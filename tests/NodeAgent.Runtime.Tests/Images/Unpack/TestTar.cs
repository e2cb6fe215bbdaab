using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ZstdSharp;

namespace NodeAgent.Runtime.Tests.Images.Unpack;

/// <summary>Hand-written tar archives (System.Formats.Tar), including the malicious ones no image builder would make.</summary>
internal static class TestTar
{
    public static readonly DateTimeOffset Mtime = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);

    public static byte[] Build(params TarEntry[] entries)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        return tar.ToArray();
    }

    public static PaxTarEntry File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4, int uid = 0, int gid = 0)
        => File(name, Encoding.UTF8.GetBytes(content), mode, uid, gid);

    public static PaxTarEntry File(string name, byte[] content, UnixFileMode mode = (UnixFileMode)0x1A4, int uid = 0, int gid = 0, IEnumerable<KeyValuePair<string, string>>? pax = null)
        => new(TarEntryType.RegularFile, name, pax ?? [])
        {
            DataStream = new MemoryStream(content),
            Mode = mode,
            Uid = uid,
            Gid = gid,
            ModificationTime = Mtime,
        };

    public static PaxTarEntry Directory(string name, UnixFileMode mode = (UnixFileMode)0x1ED, int uid = 0, int gid = 0)
        => new(TarEntryType.Directory, name) { Mode = mode, Uid = uid, Gid = gid, ModificationTime = Mtime };

    public static PaxTarEntry Symlink(string name, string target)
        => new(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0x1FF, ModificationTime = Mtime };

    public static PaxTarEntry HardLink(string name, string target)
        => new(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Mtime };

    public static PaxTarEntry Device(TarEntryType type, string name, int major, int minor)
        => new(type, name) { DeviceMajor = major, DeviceMinor = minor, Mode = (UnixFileMode)0x1B6, ModificationTime = Mtime };

    public static PaxTarEntry Fifo(string name)
        => new(TarEntryType.Fifo, name) { Mode = (UnixFileMode)0x1A4, ModificationTime = Mtime };

    public static byte[] Gzip(byte[] tar)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        return output.ToArray();
    }

    public static byte[] Zstd(byte[] tar)
    {
        using var compressor = new Compressor(3);
        return compressor.Wrap(tar).ToArray();
    }

    public static byte[] Gunzip(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
