using System.Runtime.InteropServices;

namespace NodeAgent.Runtime.Oci;

/// <summary>kill(2) for processes the runtime started (exec'd commands, conmon, infra processes).</summary>
public static partial class ProcessSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/>; false when the process no longer exists.</summary>
    public static bool Send(int pid, int signal) => pid > 0 && kill(pid, signal) == 0;

    /// <summary>True while <paramref name="pid"/> exists (signal 0 probes without sending).</summary>
    public static bool IsAlive(int pid) => pid > 0 && (kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: exists */);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
