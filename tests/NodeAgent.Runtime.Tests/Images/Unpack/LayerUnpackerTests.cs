using System.Formats.Tar;
using System.Globalization;
using System.Text;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Unpack;
using NodeAgent.Runtime.Snapshots;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Processes;
using Xunit.Abstractions;
using RuntimeDigests = NodeAgent.Runtime.Images.Digests;

namespace NodeAgent.Runtime.Tests.Images.Unpack;

public sealed class LayerUnpackerTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>vfs_cap_data v2 with cap_net_raw permitted and effective, as setcap writes it (all bytes below 0x80).</summary>
    private static readonly string NetRawCapability = Encoding.Latin1.GetString([1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    private readonly TempDirectory _temp = new(TestIds.NewPrefix());

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Busybox_layer_unpacks_to_exactly_what_tar_lists()
    {
        using var cts = TestDeadline.Seconds(60);
        var layout = new OciLayoutWriter(_temp.Combine("layout"));
        var image = await layout.AddImageAsync(TestImages.Busybox(), cts.Token);
        var layer = Assert.Single(image.Layers);
        var blob = layout.BlobPath(layer.Descriptor.Digest);

        UnpackResult result;
        await using (var stream = File.OpenRead(blob))
        {
            result = await new LayerUnpacker().UnpackAsync(stream, LayerCompression.Gzip, _temp.Combine("rootfs"), cts.Token);
        }

        Assert.Equal(layer.DiffId, result.DiffId);
        var listing = await TestProcess.RunAsync(
            "tar",
            ["--numeric-owner", "-tvzf", blob],
            cts.Token,
            environment: new Dictionary<string, string> { ["TZ"] = "UTC", ["LC_ALL"] = "C" });
        var expected = listing.EnsureSuccess().StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(TarListingLine)
            .Order(StringComparer.Ordinal)
            .ToList();

        var actual = TreeListing(_temp.Combine("rootfs"));
        Assert.True(expected.Count > 100, $"busybox has hundreds of applet links, tar listed {expected.Count}");
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Count, result.FileCount);
    }

    [Fact]
    public async Task Gzip_zstd_and_uncompressed_layers_give_the_same_diff_id_and_tree()
    {
        using var cts = TestDeadline.Seconds(60);
        var tar = TestTar.Build(
            TestTar.Directory("etc/"),
            TestTar.File("etc/hostname", "box\n"),
            TestTar.Directory("bin/"),
            TestTar.File("bin/tool", new byte[300_000], (UnixFileMode)0x1ED),
            TestTar.Symlink("bin/alias", "tool"));
        var diffId = RuntimeDigests.Sha256(tar);

        var results = new Dictionary<LayerCompression, UnpackResult>();
        foreach (var (compression, bytes) in new[] { (LayerCompression.None, tar), (LayerCompression.Gzip, TestTar.Gzip(tar)), (LayerCompression.Zstd, TestTar.Zstd(tar)) })
        {
            results[compression] = await new LayerUnpacker().UnpackAsync(new MemoryStream(bytes), compression, _temp.Combine(compression.ToString()), cts.Token);
        }

        Assert.All(results.Values, r => Assert.Equal(diffId, r.DiffId));
        Assert.All(results.Values, r => Assert.Equal(tar.Length, r.UncompressedSize));
        var reference = TreeListing(_temp.Combine(nameof(LayerCompression.None)));
        Assert.Equal(reference, TreeListing(_temp.Combine(nameof(LayerCompression.Gzip))));
        Assert.Equal(reference, TreeListing(_temp.Combine(nameof(LayerCompression.Zstd))));
    }

    [Fact]
    public async Task Ownership_special_modes_xattrs_links_fifos_and_directory_mtimes_are_kept()
    {
        using var cts = TestDeadline.Seconds(60);
        const UnixFileMode setuidExecutable = (UnixFileMode)0xDED; // 06755
        const UnixFileMode stickyWorldWritable = (UnixFileMode)0x3FF; // 01777
        var tar = TestTar.Build(
            TestTar.Directory("tmp/", stickyWorldWritable),
            TestTar.Directory("home/user/", (UnixFileMode)0x1C0, uid: 1000, gid: 1001),
            TestTar.File("home/user/notes", "n\n", uid: 1000, gid: 1001),
            TestTar.File("bin/su", "#!\n", setuidExecutable),
            TestTar.File("bin/ping", Encoding.UTF8.GetBytes("ping"), (UnixFileMode)0x1ED, pax: [new("SCHILY.xattr.user.origin", "layer-test"), new("SCHILY.xattr.security.capability", NetRawCapability)]),
            TestTar.HardLink("bin/ping-again", "bin/ping"),
            TestTar.Fifo("run/pipe"),
            TestTar.Symlink("bin/sh", "/bin/busybox"));

        await new LayerUnpacker().UnpackAsync(new MemoryStream(tar), LayerCompression.None, _temp.Combine("rootfs"), cts.Token);

        var root = _temp.Combine("rootfs");
        var tmp = Stat(Path.Combine(root, "tmp"));
        Assert.Equal(Libc.SIfDir | 0x3FFu, tmp.Mode);
        var home = Stat(Path.Combine(root, "home/user"));
        Assert.Equal((1000u, 1001u, 0x1C0u), (home.Uid, home.Gid, home.Mode & 0xFFFu));
        Assert.Equal(TestTar.Mtime.ToUnixTimeSeconds(), home.ModificationTime.Seconds);
        Assert.Equal(TestTar.Mtime.ToUnixTimeSeconds(), tmp.ModificationTime.Seconds);
        Assert.Equal(0x1EDu, Stat(Path.Combine(root, "home")).Mode & 0xFFFu); // implicit parent
        Assert.Equal(0xDEDu, Stat(Path.Combine(root, "bin/su")).Mode & 0xFFFu);
        var ping = Stat(Path.Combine(root, "bin/ping"));
        Assert.Equal(2u, ping.LinkCount);
        Assert.Equal(ping.Inode, Stat(Path.Combine(root, "bin/ping-again")).Inode);
        Assert.Equal("layer-test", GetXattr(Path.Combine(root, "bin/ping"), "user.origin"));
        Assert.Equal(NetRawCapability, GetXattr(Path.Combine(root, "bin/ping"), "security.capability"));
        Assert.Equal(Libc.SIfIfo, Stat(Path.Combine(root, "run/pipe")).FileType);
        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(root, "bin/sh")).LinkTarget);
        Assert.Equal(TestTar.Mtime.ToUnixTimeSeconds(), Stat(Path.Combine(root, "bin/sh")).ModificationTime.Seconds);
    }

    [Fact]
    public async Task Whiteouts_become_overlay_char_devices_and_opaque_markers_an_xattr()
    {
        using var cts = TestDeadline.Seconds(60);
        var tar = TestTar.Build(
            TestTar.Directory("data/"),
            TestTar.File("data/.wh.gone", string.Empty),
            TestTar.Directory("opaque/"),
            TestTar.File("opaque/.wh..wh..opq", string.Empty),
            TestTar.File("opaque/new", "new\n"),
            TestTar.File("data/.wh..wh.plnk", string.Empty));

        var result = await new LayerUnpacker().UnpackAsync(new MemoryStream(tar), LayerCompression.None, _temp.Combine("rootfs"), cts.Token);

        var root = _temp.Combine("rootfs");
        var gone = Stat(Path.Combine(root, "data/gone"));
        Assert.Equal((Libc.SIfChr, 0u, 0u), (gone.FileType, gone.RdevMajor, gone.RdevMinor));
        Assert.Equal("y", GetXattr(Path.Combine(root, "opaque"), "trusted.overlay.opaque"));
        Assert.Equal(["gone"], Directory.EnumerateFileSystemEntries(Path.Combine(root, "data")).Select(Path.GetFileName));
        Assert.Equal(["new"], Directory.EnumerateFileSystemEntries(Path.Combine(root, "opaque")).Select(Path.GetFileName));
        Assert.Equal(5, result.FileCount);
    }

    [Fact]
    public async Task Later_entries_replace_earlier_ones_of_another_kind()
    {
        using var cts = TestDeadline.Seconds(60);
        var tar = TestTar.Build(
            TestTar.Symlink("x", "/etc/passwd"),
            TestTar.File("x", "file\n"),
            TestTar.Directory("d/"),
            TestTar.File("d/inner", "i"),
            TestTar.Symlink("d", "x"),
            TestTar.File("y", "y"),
            TestTar.Directory("y/"),
            TestTar.File("y/z", "z"));

        await new LayerUnpacker().UnpackAsync(new MemoryStream(tar), LayerCompression.None, _temp.Combine("rootfs"), cts.Token);

        var root = _temp.Combine("rootfs");
        Assert.Equal("file\n", await File.ReadAllTextAsync(Path.Combine(root, "x"), cts.Token));
        Assert.Equal(Libc.SIfReg, Stat(Path.Combine(root, "x")).FileType);
        Assert.Equal("x", new FileInfo(Path.Combine(root, "d")).LinkTarget);
        Assert.Equal("z", await File.ReadAllTextAsync(Path.Combine(root, "y/z"), cts.Token));
    }

    [Fact]
    public async Task Unpack_speed_compared_with_tar_is_printed_not_asserted()
    {
        using var cts = TestDeadline.Seconds(120);
        var tarPath = _temp.Combine("random.tar");
        await using (var file = File.Create(tarPath))
        await using (var writer = new TarWriter(file, TarEntryFormat.Pax))
        {
            // Directories are listed, each before its contents as tar writes them, so their
            // mtimes come from the archive (GNU tar sets a directory's time when it leaves it).
            var random = new Random(42);
            await writer.WriteEntryAsync(TestTar.Directory("big/"), cts.Token);
            var big = new byte[1024 * 1024];
            for (var i = 0; i < 40; i++)
            {
                random.NextBytes(big);
                await writer.WriteEntryAsync(TestTar.File($"big/{i:D3}", (byte[])big.Clone()), cts.Token);
            }

            await writer.WriteEntryAsync(TestTar.Directory("small/"), cts.Token);
            var small = new byte[4096];
            for (var i = 0; i < 2500; i++)
            {
                if (i % 100 == 0)
                {
                    await writer.WriteEntryAsync(TestTar.Directory($"small/{i / 100:D2}/"), cts.Token);
                }

                random.NextBytes(small);
                await writer.WriteEntryAsync(TestTar.File($"small/{i / 100:D2}/{i:D4}", (byte[])small.Clone()), cts.Token);
            }
        }

        var megabytes = new FileInfo(tarPath).Length / 1e6;
        var ours = double.MaxValue;
        var tars = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            await using (var stream = new FileStream(tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                await new LayerUnpacker().UnpackAsync(stream, LayerCompression.None, _temp.Combine($"ours{round}"), cts.Token);
            }

            ours = Math.Min(ours, started.Elapsed.TotalSeconds);
            Directory.CreateDirectory(_temp.Combine($"tar{round}"));
            started.Restart();
            (await TestProcess.RunAsync("tar", ["-xf", tarPath, "-C", _temp.Combine($"tar{round}")], cts.Token)).EnsureSuccess();
            tars = Math.Min(tars, started.Elapsed.TotalSeconds);
        }

        Assert.Equal(TreeListing(_temp.Combine("tar0")), TreeListing(_temp.Combine("ours0")));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"unpack {megabytes:F1} MB: ours {megabytes / ours:F0} MB/s, tar -x {megabytes / tars:F0} MB/s ({100 * tars / ours:F0}% of tar's speed)"));
    }

    /// <summary>"-rwsr-xr-x 0/0 1234 2024-01-01 00:00 bin/su" (symlinks with "-> target"), as <c>tar -tv</c> prints.</summary>
    private static string TarListingLine(string line)
    {
        var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        var name = parts[5];
        var arrow = name.IndexOf(" -> ", StringComparison.Ordinal);
        var path = (arrow < 0 ? name : name[..arrow]).TrimEnd('/');
        var target = arrow < 0 ? string.Empty : name[arrow..];
        var size = parts[0][0] == '-' ? parts[2] : "0";
        return $"{parts[0]} {parts[1]} {size} {parts[3]} {parts[4]} {path}{target}";
    }

    /// <summary>The same listing, computed from what is on disk.</summary>
    internal static List<string> TreeListing(string root)
    {
        var lines = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var stat = Stat(path);
            var relative = Path.GetRelativePath(root, path);
            var time = DateTimeOffset.FromUnixTimeSeconds(stat.ModificationTime.Seconds).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            var size = stat.FileType == Libc.SIfReg ? stat.Size : 0;
            var target = stat.IsSymlink ? " -> " + new FileInfo(path).LinkTarget : string.Empty;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{ModeString(stat.Mode)} {stat.Uid}/{stat.Gid} {size} {time} {relative}{target}"));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string ModeString(uint mode)
    {
        var type = (mode & Libc.SIfMt) switch
        {
            Libc.SIfDir => 'd',
            Libc.SIfLnk => 'l',
            Libc.SIfChr => 'c',
            Libc.SIfBlk => 'b',
            Libc.SIfIfo => 'p',
            _ => '-',
        };
        var text = new StringBuilder().Append(type);
        for (var shift = 6; shift >= 0; shift -= 3)
        {
            var bits = (mode >> shift) & 7;
            var special = shift switch { 6 => (mode & 0x800) != 0, 3 => (mode & 0x400) != 0, _ => (mode & 0x200) != 0 };
            var specialChar = shift == 0 ? 't' : 's';
            text.Append((bits & 4) != 0 ? 'r' : '-').Append((bits & 2) != 0 ? 'w' : '-');
            text.Append(special ? ((bits & 1) != 0 ? specialChar : char.ToUpperInvariant(specialChar)) : (bits & 1) != 0 ? 'x' : '-');
        }

        return text.ToString();
    }

    internal static Libc.Statx Stat(string path)
    {
        Assert.Equal(0, Libc.LStat(path, out var stat));
        return stat;
    }

    internal static string? GetXattr(string path, string name) => Libc.GetXattr(path, name);
}
