using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NodeAgent.Runtime.Oci;
using NodeAgent.Runtime.Streaming.RemoteCommand;

namespace NodeAgent.Runtime.Streaming.Native;

/// <summary>
/// A program whose stdio is wired to the streaming session: three pipes, or one pty slave that
/// becomes the controlling terminal of a new session (what <c>runc exec --tty</c> needs to take its
/// terminal size from, like CRI-O's ttyCmd). <see cref="System.Diagnostics.Process"/> can do neither
/// a pty nor a controlling terminal, hence posix_spawn. The child is always reaped by <see cref="WaitForExitAsync"/>.
/// </summary>
internal sealed partial class StdioProcess : IAsyncDisposable
{
    private const int OCloExec = 0x80000;
    private const int ORdWr = 2;
    private const int ONoCtty = 0x100;
    private const short SpawnSetSigDef = 0x04;
    private const short SpawnSetSigMask = 0x08;
    private const short SpawnSetSid = 0x80;
    private const uint TiocSWinSz = 0x5414;
    private const int OpaqueSize = 512;

    private readonly Task<int> _exit;

    private StdioProcess(int pid, Stream? stdin, Stream stdout, Stream? stderr, SafeFileHandle? ptyMaster)
    {
        Pid = pid;
        StandardInput = stdin;
        StandardOutput = stdout;
        StandardError = stderr;
        PtyMaster = ptyMaster;
        _exit = DetachedSpawn.WaitForExitAsync(pid);
    }

    public int Pid { get; }

    public bool HasExited => _exit.IsCompleted;

    /// <summary>Writes to the program (the pty master for a terminal); null when stdin is not wanted.</summary>
    public Stream? StandardInput { get; private set; }

    public Stream StandardOutput { get; }

    /// <summary>Null for a terminal: the pty merges both outputs.</summary>
    public Stream? StandardError { get; }

    private SafeFileHandle? PtyMaster { get; }

    /// <summary>Starts <paramref name="path"/> with pipes as stdio (stdin from /dev/null unless <paramref name="stdin"/>).</summary>
    public static StdioProcess StartWithPipes(string path, IReadOnlyList<string> arguments, bool stdin)
    {
        var (inRead, inWrite) = stdin ? CreatePipe() : (null, null);
        var (outRead, outWrite) = CreatePipe();
        var (errRead, errWrite) = CreatePipe();
        try
        {
            var pid = Spawn(path, arguments, [inRead, outWrite, errWrite], ttyPath: null);
            return new StdioProcess(
                pid,
                inWrite is null ? null : new FileStream(inWrite, FileAccess.Write, 0),
                new FileStream(outRead, FileAccess.Read, 0),
                new FileStream(errRead, FileAccess.Read, 0),
                ptyMaster: null);
        }
        finally
        {
            // The child holds its own copies; ours must go so EOF reaches the readers.
            inRead?.Dispose();
            outWrite.Dispose();
            errWrite.Dispose();
        }
    }

    /// <summary>Starts <paramref name="path"/> as a session leader whose stdio and controlling terminal is a new pty.</summary>
    public static unsafe StdioProcess StartWithTerminal(string path, IReadOnlyList<string> arguments, TerminalSize? size)
    {
        var master = new SafeFileHandle(posix_openpt(ORdWr | ONoCtty | OCloExec), ownsHandle: true);
        if (master.IsInvalid)
        {
            throw new IOException($"posix_openpt failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            var name = stackalloc byte[128];
            if (grantpt((int)master.DangerousGetHandle()) != 0 || unlockpt((int)master.DangerousGetHandle()) != 0
                || ptsname_r((int)master.DangerousGetHandle(), name, 128) != 0)
            {
                throw new IOException($"cannot set up a pty: errno {Marshal.GetLastPInvokeError()}");
            }

            if (size is not null)
            {
                Resize(master, size);
            }

            var slave = Marshal.PtrToStringUTF8((nint)name)!;
            var pid = Spawn(path, arguments, [], slave);
            var output = new FileStream(new SafeFileHandle(Dup(master), ownsHandle: true), FileAccess.Read, 0);
            return new StdioProcess(pid, new FileStream(new SafeFileHandle(Dup(master), ownsHandle: true), FileAccess.Write, 0), output, null, master);
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Applies a terminal size; the kernel signals SIGWINCH to the terminal's foreground group (runc, which passes it on).</summary>
    public void Resize(TerminalSize size)
    {
        if (PtyMaster is not null)
        {
            Resize(PtyMaster, size);
        }
    }

    /// <summary>Closes the program's stdin (EOF); for a terminal, sends the EOF character instead, as a typed ^D would.</summary>
    public async Task CloseStandardInputAsync()
    {
        if (StandardInput is null)
        {
            return;
        }

        if (PtyMaster is not null)
        {
            await StandardInput.WriteAsync(new byte[] { 4 });
            return;
        }

        await StandardInput.DisposeAsync();
        StandardInput = null;
    }

    /// <summary>The exit code (128+signal when killed by a signal).</summary>
    public Task<int> WaitForExitAsync() => _exit;

    /// <summary>SIGKILL, only while the child is unreaped (a reaped pid may already belong to someone else).</summary>
    public void Kill()
    {
        if (!_exit.IsCompleted)
        {
            ProcessSignals.Send(Pid, 9);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_exit.IsCompleted)
        {
            Kill();
        }

        await _exit;
        if (StandardInput is not null)
        {
            await StandardInput.DisposeAsync();
        }

        await StandardOutput.DisposeAsync();
        if (StandardError is not null)
        {
            await StandardError.DisposeAsync();
        }

        PtyMaster?.Dispose();
    }

    private static unsafe void Resize(SafeFileHandle master, TerminalSize size)
    {
        var winsize = stackalloc ushort[4];
        winsize[0] = size.Height;
        winsize[1] = size.Width;
        if (ioctl((int)master.DangerousGetHandle(), TiocSWinSz, winsize) != 0)
        {
            throw new IOException($"TIOCSWINSZ failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static int Dup(SafeFileHandle handle)
    {
        var fd = fcntl((int)handle.DangerousGetHandle(), 1030 /* F_DUPFD_CLOEXEC */, 3);
        return fd >= 0 ? fd : throw new IOException($"fcntl(F_DUPFD_CLOEXEC) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private static (SafeFileHandle Read, SafeFileHandle Write) CreatePipe() => DetachedSpawn.CreatePipe();

    /// <summary>stdio[i] (null = /dev/null) becomes fd i, or the pty slave <paramref name="ttyPath"/> becomes 0, 1, 2 after setsid.</summary>
    private static unsafe int Spawn(string path, IReadOnlyList<string> arguments, SafeFileHandle?[] stdio, string? ttyPath)
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
            short flags = SpawnSetSigDef | SpawnSetSigMask;
            if (ttyPath is not null)
            {
                // glibc applies setsid before the file actions, so opening the slave makes it the controlling terminal.
                flags |= SpawnSetSid;
                Check(posix_spawn_file_actions_addopen(actions, 0, ttyPath, ORdWr, 0), "addopen tty");
                Check(posix_spawn_file_actions_adddup2(actions, 0, 1), "dup2 tty stdout");
                Check(posix_spawn_file_actions_adddup2(actions, 0, 2), "dup2 tty stderr");
            }
            else
            {
                for (var fd = 0; fd < stdio.Length; fd++)
                {
                    if (stdio[fd] is not { } handle)
                    {
                        Check(posix_spawn_file_actions_addopen(actions, fd, "/dev/null", ORdWr, 0), "addopen /dev/null");
                        continue;
                    }

                    var added = false;
                    handle.DangerousAddRef(ref added);
                    refs.Add(handle);
                    Check(posix_spawn_file_actions_adddup2(actions, (int)handle.DangerousGetHandle(), fd), "dup2 stdio");
                }
            }

            Check(sigemptyset(signals), "sigemptyset");
            Check(posix_spawnattr_setsigmask(attributes, signals), "setsigmask");
            Check(sigfillset(signals), "sigfillset");
            Check(posix_spawnattr_setsigdefault(attributes, signals), "setsigdefault");
            Check(posix_spawnattr_setflags(attributes, flags), "setflags");
            var argv = NullTerminated([path, .. arguments], strings);
            var envp = NullTerminated(DetachedSpawn.InheritedEnvironment().Select(e => $"{e.Key}={e.Value}").ToList(), strings);
            int pid;
            var error = posix_spawn(&pid, path, actions, attributes, argv, envp);
            return error == 0 ? pid : throw new IOException($"cannot start {path}: errno {error}");
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

            _ = posix_spawn_file_actions_destroy(actions);
            _ = posix_spawnattr_destroy(attributes);
        }
    }

    private static unsafe byte** NullTerminated(List<string> values, List<nint> owned)
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
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int ptsname_r(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int posix_spawn_file_actions_addopen(void* actions, int fd, string path, int flags, uint mode);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_setsigmask(void* attributes, void* mask);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_setsigdefault(void* attributes, void* mask);

    [LibraryImport("libc")]
    private static unsafe partial int sigemptyset(void* set);

    [LibraryImport("libc")]
    private static unsafe partial int sigfillset(void* set);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int posix_spawn(int* pid, string path, void* actions, void* attributes, byte** argv, byte** envp);
}
