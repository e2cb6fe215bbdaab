using System.Formats.Tar;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Unpack;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Runtime.Tests.Images.Unpack;

/// <summary>
/// Each layer tries to write outside its target. The unpack must refuse, name the entry, and leave
/// the sentinel directory beside the target empty (and nothing new anywhere else).
/// </summary>
public sealed class MaliciousLayerTests
{
    [Fact]
    public Task Dot_dot_name_is_refused()
        => AssertRefusedAsync(_ => [TestTar.File("../sentinel/evil", "x")]);

    [Fact]
    public Task Dot_dot_in_the_middle_of_a_name_is_refused()
        => AssertRefusedAsync(_ => [TestTar.Directory("a/"), TestTar.File("a/../../sentinel/evil", "x")]);

    [Fact]
    public Task Absolute_name_is_refused()
        => AssertRefusedAsync(prefix => [TestTar.File($"/abs-{prefix}/evil", "x")]);

    [Fact]
    public Task Write_through_a_symlink_to_the_host_root_is_refused()
        => AssertRefusedAsync(prefix => [TestTar.Symlink("link", "/"), TestTar.File($"link/{prefix}-evil", "x")]);

    [Fact]
    public Task Write_through_a_relative_symlink_that_climbs_out_is_refused()
        => AssertRefusedAsync(prefix => [TestTar.Symlink("a", "../.."), TestTar.File($"a/{prefix}-b", "x")]);

    [Fact]
    public Task Write_through_a_symlink_to_the_sentinel_is_refused()
        => AssertRefusedAsync(_ => [TestTar.Symlink("link", "../sentinel"), TestTar.File("link/evil", "x")]);

    [Fact]
    public Task Directory_through_a_symlink_is_refused()
        => AssertRefusedAsync(_ => [TestTar.Symlink("link", "../sentinel"), TestTar.Directory("link/sub/")]);

    [Fact]
    public Task Hardlink_to_an_absolute_host_file_is_refused()
        => AssertRefusedAsync(_ => [TestTar.HardLink("passwd-link", "/etc/passwd")]);

    [Fact]
    public Task Hardlink_to_a_file_outside_the_target_is_refused()
        => AssertRefusedAsync(_ => [TestTar.HardLink("outside-link", "../outside")]);

    [Fact]
    public Task Hardlink_through_a_symlink_is_refused()
        => AssertRefusedAsync(_ => [TestTar.Symlink("etc", "/etc"), TestTar.HardLink("shadow", "etc/passwd")]);

    [Fact]
    public Task Block_device_is_refused()
        => AssertRefusedAsync(_ => [TestTar.Device(TarEntryType.BlockDevice, "dev/sda", 8, 0)]);

    [Fact]
    public Task Character_device_is_refused()
        => AssertRefusedAsync(_ => [TestTar.Device(TarEntryType.CharacterDevice, "dev/mem", 1, 1)]);

    [Fact]
    public Task A_ready_made_whiteout_device_is_refused_too()
        => AssertRefusedAsync(_ => [TestTar.Device(TarEntryType.CharacterDevice, "fake-whiteout", 0, 0)]);

    [Fact]
    public Task A_file_replacing_the_root_is_refused()
        => AssertRefusedAsync(_ => [TestTar.File("./", "x")]);

    [Fact]
    public Task A_symlink_replacing_the_root_is_refused()
        => AssertRefusedAsync(_ => [TestTar.Symlink(".", "/")]);

    [Fact]
    public Task Whiteout_of_the_parent_directory_is_refused()
        => AssertRefusedAsync(_ => [TestTar.File("a/.wh...", string.Empty)]);

    /// <summary>The last entry of the layer is the offending one; the error must name it.</summary>
    private static async Task AssertRefusedAsync(Func<string, TarEntry[]> layer)
    {
        using var cts = TestDeadline.Seconds(60);
        var prefix = TestIds.NewPrefix();
        using (var temp = new TempDirectory(prefix))
        {
            var target = temp.Combine("target");
            var sentinel = temp.Combine("sentinel");
            Directory.CreateDirectory(target);
            Directory.CreateDirectory(sentinel);
            await File.WriteAllTextAsync(temp.Combine("outside"), "outside\n", cts.Token);

            var entries = layer(prefix);
            var tar = TestTar.Build(entries);
            var error = await Assert.ThrowsAsync<UnsafeLayerException>(
                () => new LayerUnpacker().UnpackAsync(new MemoryStream(tar), LayerCompression.None, target, cts.Token));

            Assert.Contains($"entry '{entries[^1].Name}'", error.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(sentinel));
            Assert.Equal(["outside", "sentinel", "target"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal("outside\n", await File.ReadAllTextAsync(temp.Combine("outside"), cts.Token));
            Assert.False(Directory.Exists($"/abs-{prefix}"));
            Assert.False(File.Exists($"/{prefix}-evil"));
        }

        // Anything carrying the prefix that escaped into /tmp (a/../.. from the target) shows up here.
        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }
}
