using System.ComponentModel;
using System.Diagnostics;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Common.Processes;

/// <summary><see cref="IProcessRunner"/> over <see cref="Process"/>.</summary>
public sealed class ProcessRunner : IProcessRunner
{
    public static ProcessRunner Instance { get; } = new();

    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var process = new Process { StartInfo = StartInfoFor(spec) };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"cannot run {spec.FileName}: {e.Message}", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(spec.Timeout);
        try
        {
            await WriteInputAsync(process, spec.StandardInput, timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            KillAndReap(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new RuntimeException(RuntimeErrorKind.Unavailable, $"{spec.FileName} did not finish within {spec.Timeout.TotalSeconds:0.#} s (killed)");
        }
        catch (IOException)
        {
            // The program exited without reading all of its stdin; its exit code tells what happened.
            await process.WaitForExitAsync(CancellationToken.None);
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    private static ProcessStartInfo StartInfoFor(ProcessSpec spec)
    {
        var info = new ProcessStartInfo(spec.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (spec.WorkingDirectory is not null)
        {
            info.WorkingDirectory = spec.WorkingDirectory;
        }

        if (spec.ClearEnvironment)
        {
            info.Environment.Clear();
        }

        foreach (var (name, value) in spec.Environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        return info;
    }

    private static async Task WriteInputAsync(Process process, ReadOnlyMemory<byte>? input, CancellationToken cancellationToken)
    {
        var stdin = process.StandardInput.BaseStream;
        await using (stdin.ConfigureAwait(false))
        {
            if (input is { } bytes)
            {
                await stdin.WriteAsync(bytes, cancellationToken);
            }
        }
    }

    private static void KillAndReap(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        process.WaitForExit();
    }
}
