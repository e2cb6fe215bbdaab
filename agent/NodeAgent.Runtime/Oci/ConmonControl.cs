using System.Text;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime.Oci;

/// <summary>
/// conmon's control fifo (<c>ctl</c> in the bundle dir): messages "&lt;type&gt; &lt;height&gt; &lt;width&gt;\n",
/// type 1 resizes the terminal, type 2 reopens the log file (what CRI-O sends for ReopenContainerLog).
/// </summary>
internal static class ConmonControl
{
    private const int ReopenLogs = 2;
    private const int OWriteOnly = 0x1;
    private const int ONonBlock = 0x800;
    private const int OCloseOnExec = 0x80000;
    private const int ENoDeviceOrAddress = 6;

    /// <summary>Asks the conmon of the container in <paramref name="bundlePath"/> to reopen its log at the original path.</summary>
    public static void ReopenLog(string containerId, string bundlePath) => Send(containerId, bundlePath, $"{ReopenLogs} 0 0\n");

    private static unsafe void Send(string containerId, string bundlePath, string message)
    {
        var fifo = Path.Combine(bundlePath, "ctl");
        // Non-blocking: opening a fifo nobody reads (conmon gone) fails with ENXIO instead of hanging.
        var fd = Libc.Open(fifo, OWriteOnly | ONonBlock | OCloseOnExec, 0);
        if (fd < 0)
        {
            var errno = Libc.LastError;
            throw errno is ENoDeviceOrAddress or Libc.ENoEnt
                ? new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"container {containerId}: its monitor (conmon) is not running")
                : new RuntimeException(RuntimeErrorKind.Internal, $"container {containerId}: open {fifo}: {Libc.Describe(errno)}");
        }

        try
        {
            var bytes = Encoding.ASCII.GetBytes(message);
            fixed (byte* buffer = bytes)
            {
                // Writes up to PIPE_BUF bytes are atomic: all or nothing.
                if (Libc.Write(fd, buffer, bytes.Length) != bytes.Length)
                {
                    throw new RuntimeException(RuntimeErrorKind.Internal, $"container {containerId}: write {fifo}: {Libc.Describe(Libc.LastError)}");
                }
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
