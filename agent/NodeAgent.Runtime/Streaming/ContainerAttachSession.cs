using System.Net.Sockets;
using System.Runtime.InteropServices;
using NodeAgent.Runtime.Containers;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci;
using NodeAgent.Runtime.Streaming.RemoteCommand;

namespace NodeAgent.Runtime.Streaming;

/// <summary>
/// Attach through conmon: its attach socket (<c>&lt;attach dir&gt;/&lt;id&gt;/attach</c>, SOCK_SEQPACKET)
/// sends each output packet prefixed with one byte naming the pipe (2 stdout, 3 stderr) and takes
/// raw stdin; a half-close of our side closes the container's stdin unless conmon was told to leave it
/// open. Resizes go to conmon's <c>ctl</c> fifo in the bundle as "1 height width" lines (message
/// type 1 = resize), as CRI-O and podman write them.
/// </summary>
internal sealed partial class ContainerAttachSession(ContainerManager containers, OciRuntimeOptions oci)
{
    private const byte PipeStdout = 2;
    private const byte PipeStderr = 3;
    private const int ORdOnly = 0;
    private const int OPath = 0x200000;
    private const int OCloExec = 0x80000;

    public async Task<RemoteCommandOutcome> RunAsync(string containerId, IRemoteCommandStreams client, CancellationToken cancellationToken)
    {
        var record = await containers.GetAsync(containerId, cancellationToken);
        if (record.State != ContainerPhase.Running)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"attach to container {record.Id}: it is not running");
        }

        using var socket = await ConnectAsync(Path.Combine(oci.AttachDirectory, record.Id), cancellationToken);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stdin = CopyStdinAsync(socket, client.Stdin, abort.Token);
        var resizes = ResizeAsync(containers.BundleOf(record.Id), client, abort.Token);
        await CopyOutputAsync(socket, client, abort.Token);
        await abort.CancelAsync();
        await Task.WhenAll(stdin, resizes);
        return RemoteCommandOutcome.Success;
    }

    /// <summary>
    /// The socket path easily exceeds sun_path's 108 bytes, so it is reached through a descriptor of
    /// its directory (/proc/self/fd/N/attach), as conmon itself binds it.
    /// </summary>
    private static async Task<Socket> ConnectAsync(string directory, CancellationToken cancellationToken)
    {
        var fd = open(directory, OPath | OCloExec | ORdOnly);
        if (fd < 0)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"attach: no attach socket directory {directory} (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint($"/proc/self/fd/{fd}/attach"), cancellationToken);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    private static async Task CopyOutputAsync(Socket socket, IRemoteCommandStreams client, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                var target = buffer[0] switch
                {
                    PipeStdout => client.Stdout,
                    PipeStderr => client.Stderr ?? client.Stdout,
                    _ => null,
                };
                if (target is not null && read > 1)
                {
                    await target.WriteAsync(buffer.AsMemory(1, read - 1), cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            // conmon closed the socket (the container exited) or the client left.
        }
    }

    private static async Task CopyStdinAsync(Socket socket, Stream? stdin, CancellationToken cancellationToken)
    {
        if (stdin is null)
        {
            return;
        }

        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await stdin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The container exited while the client still typed.
        }
    }

    private static async Task ResizeAsync(string bundle, IRemoteCommandStreams client, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var size in client.Resizes.ReadAllAsync(cancellationToken))
            {
                var fifo = Path.Combine(bundle, "ctl");
                // conmon holds the fifo open for reading, so this open does not block.
                await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
                await writer.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"1 {size.Height} {size.Width}\n"), cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // conmon is gone: the container exited.
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
