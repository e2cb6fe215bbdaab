using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace NodeAgent.Runtime.Oci;

/// <summary>
/// Starts a program that must outlive its stdio pipes (conmon, <c>runc run -d</c>): stdin from
/// /dev/null, stdout and stderr into a file, optional pipe ends passed as fds 3, 4, …, a new session,
/// default signal handlers. <see cref="System.Diagnostics.Process"/> cannot pass file descriptors,
/// and a daemon holding our pipes would keep readers waiting forever (DESIGN.md §7), hence posix_spawn.
/// Every spawned child is reaped by <see cref="WaitForExitAsync"/>.
/// </summary>
internal static unsafe partial class DetachedSpawn
{
    private const int OCloExec = 0x80000;
    private const int OWrOnly = 1;
    private const int OCreat = 0x40;
    private const int OTrunc = 0x200;
    private const int ORdOnly = 0;
    private const short SpawnSetSigDef = 0x04;
    private const short SpawnSetSigMask = 0x08;
    private const short SpawnSetSid = 0x80;
    private const int EIntr = 4;

    /// <summary>Room for glibc's posix_spawn_file_actions_t (80 bytes) and posix_spawnattr_t (336 bytes).</summary>
    private const int OpaqueSize = 512;

    /// <summary>A pipe whose ends are close-on-exec in this process (only a dup2 in the child clears it).</summary>
    public static (SafeFileHandle Read, SafeFileHandle Write) CreatePipe()
    {
        var fds = stackalloc int[2];
        if (pipe2(fds, OCloExec) != 0)
        {
            throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }

    /// <summary>Spawns <paramref name="path"/>; <paramref name="passFds"/>[i] becomes fd 3+i in the child.</summary>
    public static int Spawn(
        string path,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string outputFile,
        IReadOnlyList<SafeFileHandle> passFds)
    {
        var actions = stackalloc byte[OpaqueSize];
        var attributes = stackalloc byte[OpaqueSize];
        var signals = stackalloc byte[128];
        Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
        var refs = new List<SafeFileHandle>();
        var strings = new List<nint>();
        try
        {
            Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", ORdOnly, 0), "addopen stdin");
            Check(posix_spawn_file_actions_addopen(actions, 1, outputFile, OWrOnly | OCreat | OTrunc, 0x180), "addopen stdout");
            Check(posix_spawn_file_actions_adddup2(actions, 1, 2), "dup2 stderr");
            for (var i = 0; i < passFds.Count; i++)
            {
                var success = false;
                passFds[i].DangerousAddRef(ref success);
                refs.Add(passFds[i]);
                Check(posix_spawn_file_actions_adddup2(actions, (int)passFds[i].DangerousGetHandle(), 3 + i), "dup2 pass fd");
            }

            Check(sigemptyset(signals), "sigemptyset");
            Check(posix_spawnattr_setsigmask(attributes, signals), "setsigmask");
            Check(sigfillset(signals), "sigfillset");
            Check(posix_spawnattr_setsigdefault(attributes, signals), "setsigdefault");
            Check(posix_spawnattr_setflags(attributes, SpawnSetSigDef | SpawnSetSigMask | SpawnSetSid), "setflags");

            var argv = NullTerminated([path, .. arguments], strings);
            var envp = NullTerminated(environment.Select(e => $"{e.Key}={e.Value}").ToList(), strings);
            int pid;
            var error = posix_spawn(&pid, path, actions, attributes, argv, envp);
            if (error != 0)
            {
                throw new IOException($"cannot start {path}: errno {error}");
            }

            return pid;
        }
        finally
        {
            foreach (var handle in refs)
            {
                handle.DangerousRelease();
            }

            foreach (var pointer in strings)
            {
                Marshal.FreeHGlobal(pointer);
            }

            // Destroy only frees memory; nothing to do if it fails.
            _ = posix_spawn_file_actions_destroy(actions);
            _ = posix_spawnattr_destroy(attributes);
        }
    }

    /// <summary>The process environment plus <paramref name="extra"/>.</summary>
    public static Dictionary<string, string> InheritedEnvironment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>Reaps the child and returns its exit code (128+signal when killed by a signal).</summary>
    public static Task<int> WaitForExitAsync(int pid) => Task.Factory.StartNew(
        () =>
        {
            int status;
            while (waitpid(pid, &status, 0) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EIntr)
                {
                    throw new IOException($"waitpid({pid}) failed: errno {errno}");
                }
            }

            var termSignal = status & 0x7f;
            return termSignal == 0 ? (status >> 8) & 0xff : 128 + termSignal;
        },
        CancellationToken.None,
        TaskCreationOptions.LongRunning,
        TaskScheduler.Default);

    private static byte** NullTerminated(List<string> values, List<nint> owned)
    {
        var array = (byte**)Marshal.AllocHGlobal(sizeof(nint) * (values.Count + 1));
        owned.Add((nint)array);
        for (var i = 0; i < values.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(values[i] + '\0');
            var copy = Marshal.AllocHGlobal(bytes.Length);
            owned.Add(copy);
            Marshal.Copy(bytes, 0, copy, bytes.Length);
            array[i] = (byte*)copy;
        }

        array[values.Count] = null;
        return array;
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new IOException($"{call} failed: {result}");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn_file_actions_addopen(void* actions, int fd, string path, int flags, uint mode);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigmask(void* attributes, void* mask);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigdefault(void* attributes, void* mask);

    [LibraryImport("libc")]
    private static partial int sigemptyset(void* set);

    [LibraryImport("libc")]
    private static partial int sigfillset(void* set);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn(int* pid, string path, void* actions, void* attributes, byte** argv, byte** envp);
}
