using NodeAgent.Runtime.Streaming.Native;

namespace NodeAgent.Runtime.Streaming.RemoteCommand;

/// <summary>Connects a started process to the client's streams and reports its exit code.</summary>
internal static class ProcessStreamPump
{
    public static async Task<RemoteCommandOutcome> RunAsync(StdioProcess process, Action kill, IRemoteCommandStreams client, bool tty, CancellationToken cancellationToken)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A client that goes away ends the process; otherwise the process ends the session.
        await using var killOnAbort = cancellationToken.Register(kill);
        var stdout = CopyOutputAsync(process.StandardOutput, client.Stdout, abort.Token);
        var stderr = process.StandardError is null ? Task.CompletedTask : CopyOutputAsync(process.StandardError, client.Stderr, abort.Token);
        var stdin = CopyInputAsync(process, client.Stdin, tty, abort.Token);
        var resizes = ApplyResizesAsync(process, client, abort.Token);
        var exitCode = await process.WaitForExitAsync();
        await Task.WhenAll(stdout, stderr);
        await abort.CancelAsync(); // stdin and resizes have nobody to go to any more
        await Task.WhenAll(stdin, resizes);
        return RemoteCommandOutcome.Exited(exitCode);
    }

    private static async Task CopyOutputAsync(Stream from, Stream? to, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (to is not null)
                {
                    await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
        }
        catch (IOException)
        {
            // A pty master reads EIO once the last slave holder exits: that is its end of output.
        }
    }

    private static async Task CopyInputAsync(StdioProcess process, Stream? from, bool tty, CancellationToken cancellationToken)
    {
        if (from is null || process.StandardInput is null)
        {
            return;
        }

        try
        {
            await from.CopyToAsync(process.StandardInput, cancellationToken);
            if (!tty)
            {
                await process.CloseStandardInputAsync(); // the command sees EOF, as with `kubectl exec -i`
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The process exited or the session ended while the client still typed.
        }
    }

    private static async Task ApplyResizesAsync(StdioProcess process, IRemoteCommandStreams client, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var size in client.Resizes.ReadAllAsync(cancellationToken))
            {
                process.Resize(size);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Resizes after the end do not matter.
        }
    }
}
