using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Images;

/// <summary>
/// The busybox base layer: the host's static busybox (Debian package busybox-static), one
/// symlink per applet as <c>busybox --list-full</c> names them, and the few /etc files and
/// directories that programs and runtimes expect.
/// </summary>
public static class BusyboxRootfs
{
    public const string HostBinary = "/bin/busybox";
    public const string Package = "busybox-static";
    public const int NobodyId = 65534;

    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    private const string Group = "root:x:0:\nnogroup:x:65534:\n";

    private const UnixFileMode StickyWorldWritable = UnixFileMode.StickyBit | LayerEntry.AllPermissions;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static async Task<LayerSpec> CreateLayerAsync(CancellationToken cancellationToken)
    {
        await StaticElf.EnsureStaticAsync(HostBinary, Package, cancellationToken).ConfigureAwait(false);
        var list = await TestProcess.RunAsync(HostBinary, ["--list-full"], cancellationToken).ConfigureAwait(false);
        list.EnsureSuccess();

        var binaryPath = HostBinary.TrimStart('/');
        var entries = new List<LayerEntry>
        {
            LayerEntry.HostFile(HostBinary, HostBinary),
            LayerEntry.TextFile("/etc/passwd", Passwd),
            LayerEntry.TextFile("/etc/group", Group),
            LayerEntry.Directory("/tmp", StickyWorldWritable),
            LayerEntry.Directory("/root", OwnerOnly),
        };
        foreach (var applet in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (applet != binaryPath)
            {
                entries.Add(LayerEntry.Symlink(applet, HostBinary));
            }
        }

        return new LayerSpec(entries, $"busybox from {HostBinary} ({Package}) with applet links");
    }
}
