using System.Runtime.InteropServices;
using NodeAgent.Runtime.Common;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Sandboxes;

/// <summary>The IPC and UTS namespaces of a sandbox without an infra process, as bind-mounted namespace files.</summary>
public sealed record PinnedNamespaces(string? IpcPath, string? UtsPath);

/// <summary>
/// Holds a sandbox's IPC and UTS namespaces without an infra process (what CRI-O calls
/// <c>drop_infra_ctr</c>). In-process, as <see cref="Network.NetnsPinner"/> does for the network
/// namespace: a dedicated thread — never a pool thread — unshares new IPC and UTS namespaces for
/// itself, sets the pod's hostname in the new UTS namespace, bind-mounts its
/// /proc/thread-self/ns/{ipc,uts} onto files in the sandbox's run directory, returns to the original
/// namespaces and ends; containers then join them by path. Namespace changes are per thread, so
/// nothing else in the process sees them. That costs well under a millisecond where
/// <c>unshare --ipc=FILE --uts=FILE hostname NAME</c> cost ≈ 4 ms of CPU per pod and <c>runc run</c>
/// of catatonit ≈ 45 ms, and no process stays behind. A sandbox that shares its PID namespace or
/// sets sysctls still gets the infra process, which those need.
/// </summary>
public sealed partial class NamespacePins
{
    private const int CloneNewIpc = 0x08000000;
    private const int CloneNewUts = 0x04000000;
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;
    private const ulong MsBind = 4096;

    private readonly IMounter _mounter;

    public NamespacePins(IMounter mounter)
    {
        _mounter = mounter ?? throw new ArgumentNullException(nameof(mounter));
    }

    /// <summary>Whether namespaces can be pinned here (Linux; every kernel the runtime supports has IPC and UTS namespaces).</summary>
    public static bool Available => OperatingSystem.IsLinux();

    /// <summary>
    /// Pins new IPC and/or UTS namespaces under <paramref name="directory"/>; the UTS one gets
    /// <paramref name="hostname"/>. Nothing is left behind when it fails.
    /// </summary>
    public async Task<PinnedNamespaces> PinAsync(string directory, bool ipc, bool uts, string hostname, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(hostname);
        if (!ipc && !uts)
        {
            return new PinnedNamespaces(null, null);
        }

        Directory.CreateDirectory(directory);
        var pinned = new PinnedNamespaces(ipc ? Path.Combine(directory, "ipc") : null, uts ? Path.Combine(directory, "uts") : null);
        try
        {
            foreach (var path in new[] { pinned.IpcPath, pinned.UtsPath })
            {
                if (path is not null)
                {
                    // A bind mount needs an existing file to land on.
                    await File.WriteAllBytesAsync(path, [], cancellationToken);
                }
            }

            await NamespaceThread.RunAsync("ipc-uts-pin", () => PinOnThisThread(directory, pinned, hostname), cancellationToken);
            return pinned;
        }
        catch
        {
            await RemoveAsync(pinned, CancellationToken.None);
            throw;
        }
    }

    private static void PinOnThisThread(string directory, PinnedNamespaces pinned, string hostname)
    {
        var flags = (pinned.IpcPath is null ? 0 : CloneNewIpc) | (pinned.UtsPath is null ? 0 : CloneNewUts);
        var originalIpc = pinned.IpcPath is null ? -1 : OpenNamespace(directory, "ipc");
        var originalUts = -1;
        try
        {
            originalUts = pinned.UtsPath is null ? -1 : OpenNamespace(directory, "uts");
            if (Unshare(flags) != 0)
            {
                throw Failure(directory, "unshare");
            }

            try
            {
                if (pinned.UtsPath is not null && hostname.Length > 0)
                {
                    var name = System.Text.Encoding.UTF8.GetBytes(hostname);
                    if (SetHostname(name, (nuint)name.Length) != 0)
                    {
                        throw Failure(directory, $"set hostname {hostname}");
                    }
                }

                foreach (var (kind, path) in new[] { ("ipc", pinned.IpcPath), ("uts", pinned.UtsPath) })
                {
                    if (path is not null && Mount("/proc/thread-self/ns/" + kind, path, "none", MsBind, 0) != 0)
                    {
                        throw Failure(directory, $"bind-mount the {kind} namespace onto {path}");
                    }
                }
            }
            finally
            {
                // The thread ends right after; going back keeps even its last moments ordinary.
                if (originalIpc >= 0)
                {
                    _ = Setns(originalIpc, CloneNewIpc);
                }

                if (originalUts >= 0)
                {
                    _ = Setns(originalUts, CloneNewUts);
                }
            }
        }
        finally
        {
            foreach (var fd in new[] { originalIpc, originalUts })
            {
                if (fd >= 0)
                {
                    _ = Close(fd);
                }
            }
        }
    }

    private static int OpenNamespace(string directory, string kind)
    {
        var fd = Open("/proc/thread-self/ns/" + kind, ORdOnly | OCloExec, 0);
        return fd >= 0 ? fd : throw Failure(directory, $"open this thread's {kind} namespace");
    }

    private static RuntimeException Failure(string directory, string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new RuntimeException(RuntimeErrorKind.Internal, $"pin ipc/uts namespaces in {directory}: {what}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Unmounts and deletes the pins; missing ones are fine. The namespaces die with their last process.</summary>
    public async Task RemoveAsync(PinnedNamespaces pinned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        foreach (var path in new[] { pinned.IpcPath, pinned.UtsPath })
        {
            if (path is null || !File.Exists(path))
            {
                continue;
            }

            await _mounter.UnmountAsync(path, cancellationToken);
            File.Delete(path);
        }
    }

    /// <summary>Whether the pins of a sandbox are still in place (they live on the run dir's tmpfs, so a reboot removes them).</summary>
    public static bool Exist(PinnedNamespaces pinned)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        return (pinned.IpcPath is null || File.Exists(pinned.IpcPath)) && (pinned.UtsPath is null || File.Exists(pinned.UtsPath));
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int Setns(int fd, int namespaceType);

    [LibraryImport("libc", EntryPoint = "sethostname", SetLastError = true)]
    private static partial int SetHostname(byte[] name, nuint length);

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Mount(string source, string target, string fileSystemType, ulong flags, nint data);
}
