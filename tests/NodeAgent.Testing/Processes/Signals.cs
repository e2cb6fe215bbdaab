using System.Runtime.InteropServices;

namespace NodeAgent.Testing.Processes;

/// <summary>POSIX signals for processes the tests started themselves (by PID, never by name).</summary>
public static partial class Signals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
