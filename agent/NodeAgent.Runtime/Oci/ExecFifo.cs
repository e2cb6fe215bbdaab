using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Oci;

/// <summary>
/// <c>runc start</c> without launching runc. After <c>runc create</c>, the container's init (runc init, already inside
/// every namespace, cgroup, seccomp and capability limit of the spec) is blocked opening <c>exec.fifo</c> in the
/// container's state directory for writing; all <c>runc start</c> does (runc 1.1) is check that the init still lives,
/// open the fifo for reading, read until init's exec closes the write end (a byte means it started), and remove the
/// fifo. Doing the same here saves a runc process (≈ 15 ms of CPU) per container start; the container's process is
/// still exec'd by runc init, exactly as before. Anything unexpected before the fifo is opened (another runtime, no
/// fifo, no state, an init that is gone) answers <see cref="Outcome.NotHandled"/> so the caller runs <c>runc start</c>
/// and gets runc's own error.
/// </summary>
internal static partial class ExecFifo
{
    public enum Outcome
    {
        Started,
        NotHandled,
    }

    private const int ORdOnly = 0;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const short PollIn = 0x1;
    private const short PollHup = 0x10;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const int PollIntervalMs = 100;

    /// <summary>Starts created container <paramref name="id"/> of runc state root <paramref name="stateRoot"/>.</summary>
    public static Task<Outcome> StartAsync(string stateRoot, string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(stateRoot, id);
        var fifo = Path.Combine(directory, "exec.fifo");
        if (!File.Exists(fifo) || ReadInit(Path.Combine(directory, "state.json")) is not { } init || !IsLive(init.Pid, init.StartTime))
        {
            return Task.FromResult(Outcome.NotHandled);
        }

        // The wait is short (init only has to write and exec) but blocking: a thread of its own, not a pool thread.
        return Task.Factory.StartNew(
            () => Drain(id, fifo, init, timeout, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private static Outcome Drain(string id, string fifo, InitProcess init, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Non-blocking open: a reader may open a fifo without a writer; init's blocked open for writing then returns.
        var fd = Open(fifo, ORdOnly | ONonBlock | OCloExec, 0);
        if (fd < 0)
        {
            return Outcome.NotHandled;
        }

        var read = 0;
        try
        {
            var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            var buffer = new byte[16];
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var ready = Poll(fd, PollIntervalMs);
                if (ready.HasFlag(PollEvents.In))
                {
                    var n = Read(fd, buffer);
                    if (n > 0)
                    {
                        read += n;
                        continue;
                    }

                    if (n == 0)
                    {
                        break; // EOF: init exec'd (its write end was close-on-exec) or exited.
                    }
                }
                else if (ready.HasFlag(PollEvents.Hup))
                {
                    break;
                }
                else if (!IsLive(init.Pid, init.StartTime))
                {
                    // As runc: an init that wrote its byte and finished between two polls still counts as started.
                    read += DrainNow(fd, buffer);
                    if (read == 0)
                    {
                        throw new RuntimeException(RuntimeErrorKind.Internal, $"start container {id}: container process is already dead");
                    }

                    break;
                }

                if (Environment.TickCount64 > deadline)
                {
                    throw new RuntimeException(RuntimeErrorKind.Internal, $"start container {id}: init did not open {fifo} within {timeout.TotalSeconds:0} s");
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }

        if (read == 0)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"start container {id}: cannot start an already running container");
        }

        File.Delete(fifo);
        return Outcome.Started;
    }

    private static int DrainNow(int fd, byte[] buffer)
    {
        var total = 0;
        int n;
        while ((n = Read(fd, buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    [Flags]
    private enum PollEvents
    {
        None = 0,
        In = 1,
        Hup = 2,
    }

    private static PollEvents Poll(int fd, int timeoutMs)
    {
        var entry = new PollFd { Fd = fd, Events = PollIn };
        var n = PollNative(ref entry, 1, timeoutMs);
        if (n <= 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return n == 0 || errno == EIntr ? PollEvents.None : throw new IOException($"poll exec.fifo: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return ((entry.Revents & PollIn) != 0 ? PollEvents.In : PollEvents.None) | ((entry.Revents & PollHup) != 0 ? PollEvents.Hup : PollEvents.None);
    }

    /// <summary>Bytes read; 0 at EOF; -1 when nothing is there yet (EAGAIN).</summary>
    private static unsafe int Read(int fd, byte[] buffer)
    {
        while (true)
        {
            fixed (byte* p = buffer)
            {
                var n = (int)ReadNative(fd, p, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return n;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EAgain)
                {
                    return -1;
                }

                if (errno != EIntr)
                {
                    throw new IOException($"read exec.fifo: {Marshal.GetPInvokeErrorMessage(errno)}");
                }
            }
        }
    }

    /// <summary>runc's state.json: the init's pid and its start time (in clock ticks since boot, as /proc/PID/stat field 22), which guard against pid reuse.</summary>
    private static InitProcess? ReadInit(string stateFile)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(stateFile));
            var root = document.RootElement;
            return root.TryGetProperty("init_process_pid", out var pid) && root.TryGetProperty("init_process_start", out var start)
                ? new InitProcess(pid.GetInt32(), start.GetUInt64())
                : null;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The process exists, is not a zombie, and is the same process (start time) runc recorded.</summary>
    private static bool IsLive(int pid, ulong startTime)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // Fields after "(comm)": state is field 3, starttime field 22 (1-based).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19
            && fields[0] is not ("Z" or "X")
            && ulong.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var started)
            && started == startTime;
    }

    private sealed record InitProcess(int Pid, ulong StartTime);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadNative(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollNative(ref PollFd fds, nuint count, int timeoutMs);
}
