using System.Runtime.InteropServices;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Containerd;

/// <summary>
/// Removes what a containerd instance can leave behind after it stopped: shims (found by our
/// unique socket path, killed by PID), mounts under its directories, pod cgroups, the CNI bridge.
/// Every step treats "already gone" as success.
/// </summary>
public static partial class HostCleanup
{
    private const int MntDetach = 2;

    internal static async Task RemoveLeftoversAsync(ContainerdSettings settings, CancellationToken cancellationToken)
    {
        foreach (var process in ProcessProbe.Find(settings.BaseDirectory))
        {
            KillProcess(process.Pid);
        }

        var mounts = await MountProbe.FindAsync(settings.BaseDirectory, cancellationToken);
        foreach (var mount in mounts.OrderByDescending(m => m.MountPoint.Length))
        {
            _ = Umount2(mount.MountPoint, MntDetach);
        }

        RemoveCgroups(settings.Prefix);
        await DeleteBridgeAsync(settings.BridgeName, cancellationToken);
        if (Directory.Exists(settings.BaseDirectory))
        {
            Directory.Delete(settings.BaseDirectory, recursive: true);
        }
    }

    private static void KillProcess(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (ArgumentException)
        {
            // Exited meanwhile.
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    /// <summary>Deepest first: a cgroup directory can only be removed once its children are.</summary>
    public static void RemoveCgroups(string prefix)
    {
        var mounts = MountInfoParser.Parse(File.ReadAllText(MountProbe.MountInfoPath));
        // The probe reports the topmost match; a cgroup can only go once every child cgroup went.
        var dirs = CgroupProbe.Find(CgroupProbe.Roots(mounts), prefix)
            .SelectMany(d => Directory.EnumerateDirectories(d, "*", SearchOption.AllDirectories).Append(d));
        foreach (var dir in dirs.OrderByDescending(d => d.Length))
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (IOException)
            {
                // Busy or already removed; the leak check reports what really stayed.
            }
        }
    }

    public static async Task DeleteBridgeAsync(string bridge, CancellationToken cancellationToken)
    {
        if (Directory.Exists(Path.Combine("/sys/class/net", bridge)))
        {
            await TestProcess.RunAsync("ip", ["link", "delete", bridge], cancellationToken);
        }

        await DeleteNodeMasqueradeAsync(bridge, cancellationToken);
    }

    /// <summary>
    /// The pod network's node-level masquerade chain (<c>NA-MASQ-&lt;bridge&gt;</c>) and the POSTROUTING
    /// jumps to it, which our runtime keeps as long as the bridge exists.
    /// </summary>
    public static async Task DeleteNodeMasqueradeAsync(string bridge, CancellationToken cancellationToken)
    {
        var chain = "NA-MASQ-" + bridge;
        var saved = await HostTool.RunAsync("iptables-save", [], cancellationToken);
        if (!saved.Contains(chain, StringComparison.Ordinal))
        {
            return;
        }

        // Rule numbers from the listing, deleted from the highest down so the others keep theirs.
        var listing = await HostTool.RunAsync("iptables", ["-w", "-t", "nat", "-L", "POSTROUTING", "-n", "--line-numbers"], cancellationToken);
        var numbers = listing.Split('\n')
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 1 && fields[1] == chain && int.TryParse(fields[0], out _))
            .Select(fields => int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture))
            .OrderByDescending(n => n);
        foreach (var number in numbers)
        {
            await TestProcess.RunAsync("iptables", ["-w", "-t", "nat", "-D", "POSTROUTING", number.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken);
        }

        await TestProcess.RunAsync("iptables", ["-w", "-t", "nat", "-F", chain], cancellationToken);
        await TestProcess.RunAsync("iptables", ["-w", "-t", "nat", "-X", chain], cancellationToken);
    }

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Umount2(string target, int flags);
}
