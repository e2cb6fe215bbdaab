using System.Text;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Sandboxes;
using NodeAgent.Runtime.Streaming.Native;

namespace NodeAgent.Runtime.Streaming.PortForward;

/// <summary>
/// One forwarded connection to a port on the pod's loopback. The agent never enters the pod's
/// network namespace itself (setns would move a thread of the runtime): a relay process does —
/// <c>nsenter --net=&lt;netns&gt; busybox nc 127.0.0.1 PORT</c> (util-linux and busybox-static, both
/// already runtime dependencies) — and the bytes travel over its stdin/stdout. Host-network pods
/// skip nsenter.
/// </summary>
internal sealed class PodPortForwarder(SandboxManager sandboxes, StreamingOptions options)
{
    public async Task ForwardAsync(string sandboxId, int port, Stream fromClient, Stream toClient, CancellationToken cancellationToken)
    {
        var sandbox = sandboxes.Find(sandboxId) ?? throw new RuntimeException(RuntimeErrorKind.NotFound, $"port-forward: sandbox {sandboxId} not found");
        if (sandbox.State != SandboxState.Ready)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"port-forward: sandbox {sandboxId} is not ready");
        }

        string[] relay = [options.BusyboxPath, "nc", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        await using var process = sandbox.NetnsPath is null
            ? StdioProcess.StartWithPipes(options.BusyboxPath, relay[1..], stdin: true)
            : StdioProcess.StartWithPipes(options.NsenterPath, ["--net=" + sandbox.NetnsPath, "--", .. relay], stdin: true);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var kill = cancellationToken.Register(process.Kill);
        var input = CopyInAsync(fromClient, process, abort.Token);
        var errors = ReadAllAsync(process.StandardError!);
        try
        {
            await process.StandardOutput.CopyToAsync(toClient, abort.Token);
        }
        catch (IOException)
        {
            // The client side went away; the relay is killed below.
        }

        var exitCode = await process.WaitForExitAsync();
        await abort.CancelAsync();
        await input;
        var stderr = await errors;
        if (exitCode != 0 && !cancellationToken.IsCancellationRequested)
        {
            throw new RuntimeException(RuntimeErrorKind.Unavailable, $"port-forward to port {port} of sandbox {sandboxId}: {stderr.Trim()} (exit {exitCode})");
        }
    }

    private static async Task CopyInAsync(Stream fromClient, StdioProcess process, CancellationToken cancellationToken)
    {
        try
        {
            await fromClient.CopyToAsync(process.StandardInput!, cancellationToken);
            await process.CloseStandardInputAsync(); // half-close: nc shuts down its write side and keeps reading
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The relay ended first.
        }
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return await reader.ReadToEndAsync();
    }
}
