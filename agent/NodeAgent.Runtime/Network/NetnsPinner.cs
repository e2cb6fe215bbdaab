using System.Runtime.InteropServices;
using NodeAgent.Runtime.Common;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network;

/// <summary>
/// Named, pinned network namespaces under /run/netns, the directory <c>ip netns</c> uses.
/// <para>
/// Creation happens in-process, as <c>ip netns add NAME</c> would do it but without its exec
/// (≈ 5 ms, more under load, on every pod start): /run/netns is made a shared mount point once
/// (so a pin propagates into mount namespaces created later, such as runc's), the pin file is
/// created exclusively, and a dedicated thread — never a pool thread — unshares a new network
/// namespace for itself, bind-mounts its /proc/thread-self/ns/net onto the pin, returns to the
/// original namespace and ends. Namespace changes are per thread, so nothing else in the
/// process ever sees the new namespace. While in it, the thread also sets lo up (the loopback
/// plugin's whole job), so no loopback plugin runs.
/// </para>
/// <para>
/// Removal happens here too: umount2(MNT_DETACH) of the pin, then unlink. The namespace itself
/// dies when the last process inside it exits and the pin is gone.
/// </para>
/// </summary>
internal static partial class NetnsPinner
{
    public const string NetnsDirectory = "/run/netns";

    private const int MntDetach = 2;
    private const int Einval = 22;
    private const int Enoent = 2;
    private const int Eexist = 17;
    private const int CloneNewNet = 0x40000000;
    private const int ORdOnly = 0;
    private const int OCreat = 0x40;
    private const int OExcl = 0x80;
    private const int OCloExec = 0x80000;
    private const ulong MsBind = 4096;
    private const ulong MsRec = 16384;
    private const ulong MsShared = 1 << 20;
    private const int AfInet = 2;
    private const int SockDgram = 2;
    private const int SockCloExec = 0x80000;
    private const int InterfaceNameSize = 16;
    private const nuint SiocGetInterfaceFlags = 0x8913;
    private const nuint SiocSetInterfaceFlags = 0x8914;
    private const short IffUp = 0x1;

    private static readonly Lock SharedDirectoryGate = new();
    private static bool _sharedDirectoryReady;

    public static string PathFor(string name) => Path.Combine(NetnsDirectory, name);

    public static bool Exists(string name) => File.Exists(PathFor(name));

    /// <summary>Creates the namespace and its pin; returns the pin path.</summary>
    public static async Task<string> CreateAsync(string name, CancellationToken cancellationToken)
    {
        EnsureSharedDirectory(name);
        var path = PathFor(name);
        await NamespaceThread.RunAsync("netns-pin", () => PinOnThisThread(name, path), cancellationToken);
        return path;
    }

    private static void PinOnThisThread(string name, string path)
    {
        var pin = Open(path, ORdOnly | OCreat | OExcl | OCloExec, 0);
        if (pin < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new RuntimeException(
                errno == Eexist ? RuntimeErrorKind.AlreadyExists : RuntimeErrorKind.Internal,
                $"create netns {name}: {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        _ = Close(pin);
        var original = Open("/proc/thread-self/ns/net", ORdOnly | OCloExec, 0);
        if (original < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            File.Delete(path);
            throw new RuntimeException(RuntimeErrorKind.Internal, $"create netns {name}: open this thread's netns: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        try
        {
            if (Unshare(CloneNewNet) != 0)
            {
                throw Failure(name, "unshare(CLONE_NEWNET)");
            }

            try
            {
                // Before the pin exists, so a failure leaves nothing mounted.
                BringLoopbackUp(name);
                if (Mount("/proc/thread-self/ns/net", path, "none", MsBind, 0) != 0)
                {
                    throw Failure(name, $"bind-mount onto {path}");
                }
            }
            finally
            {
                // The thread ends right after; going back keeps even its last moments ordinary.
                _ = Setns(original, CloneNewNet);
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        finally
        {
            _ = Close(original);
        }
    }

    /// <summary>
    /// Sets lo up in the new namespace (this thread is in it), which is all the CNI loopback plugin's ADD does
    /// (containerd 2's <c>use_internal_loopback</c> does the same): one ioctl instead of a plugin process (≈ 9 ms CPU).
    /// </summary>
    private static unsafe void BringLoopbackUp(string name)
    {
        var socket = Socket(AfInet, SockDgram | SockCloExec, 0);
        if (socket < 0)
        {
            throw Failure(name, "socket for lo");
        }

        try
        {
            var request = default(InterfaceRequest);
            "lo"u8.CopyTo(new Span<byte>(request.Name, InterfaceNameSize));
            if (Ioctl(socket, SiocGetInterfaceFlags, ref request) != 0)
            {
                throw Failure(name, "read lo's flags");
            }

            request.Flags |= IffUp;
            if (Ioctl(socket, SiocSetInterfaceFlags, ref request) != 0)
            {
                throw Failure(name, "set lo up");
            }
        }
        finally
        {
            _ = Close(socket);
        }
    }

    /// <summary>mkdir /run/netns and make it a shared mount point (a bind mount onto itself first if it is none), once.</summary>
    private static void EnsureSharedDirectory(string name)
    {
        lock (SharedDirectoryGate)
        {
            if (_sharedDirectoryReady)
            {
                return;
            }

            Directory.CreateDirectory(NetnsDirectory);
            if (Mount("", NetnsDirectory, "none", MsShared | MsRec, 0) != 0)
            {
                if (Marshal.GetLastPInvokeError() != Einval
                    || Mount(NetnsDirectory, NetnsDirectory, "none", MsBind | MsRec, 0) != 0
                    || Mount("", NetnsDirectory, "none", MsShared | MsRec, 0) != 0)
                {
                    throw Failure(name, $"make {NetnsDirectory} a shared mount point");
                }
            }

            _sharedDirectoryReady = true;
        }
    }

    private static RuntimeException Failure(string name, string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new RuntimeException(RuntimeErrorKind.Internal, $"create netns {name}: {what}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Unmounts and deletes the pin; a missing pin or an already unmounted file is success.</summary>
    public static void Remove(string name)
    {
        var path = PathFor(name);
        // Stacked mounts (a retried pin) each need their own umount; EINVAL means nothing is mounted any more.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            if (Umount2(path, MntDetach) == 0)
            {
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is Einval or Enoent)
            {
                break;
            }

            throw new RuntimeException(RuntimeErrorKind.Internal, $"remove netns {name}: umount {path} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // No /run/netns at all (a fresh boot): nothing was pinned.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"remove netns {name}: delete {path} failed: {e.Message}", e);
        }
    }

    /// <summary>struct ifreq with the ifr_flags member (the union is 24 bytes on 64-bit Linux).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    private unsafe struct InterfaceRequest
    {
        [FieldOffset(0)]
        public fixed byte Name[InterfaceNameSize];

        [FieldOffset(InterfaceNameSize)]
        public short Flags;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, ref InterfaceRequest value);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int Setns(int fd, int namespaceType);

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Mount(string source, string target, string fileSystemType, ulong flags, nint data);
}
