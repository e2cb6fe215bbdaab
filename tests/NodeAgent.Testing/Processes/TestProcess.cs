using System.Diagnostics;

namespace NodeAgent.Testing.Processes;

/// <summary>
/// Runs an external program with an argument list (never through a shell), captures its output
/// and always reaps it. On cancellation the whole process tree it started is killed.
/// </summary>
public static class TestProcess
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null,
        string? workingDirectory = null)
    {
        var args = arguments.ToList();
        var startInfo = CreateStartInfo(fileName, args, environment, workingDirectory);
        startInfo.RedirectStandardInput = standardInput is not null;

        using var process = new Process { StartInfo = startInfo };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            throw;
        }

        return new ProcessResult(fileName, args, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running program whose output goes to the given log file.</summary>
    public static Process StartBackground(
        string fileName,
        IEnumerable<string> arguments,
        string logFile,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = CreateStartInfo(fileName, arguments.ToList(), environment, workingDirectory: null);
        var process = new Process { StartInfo = startInfo };
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var gate = new object();
        var openStreams = 2;

        // A null line is end-of-stream; the log closes once both streams have ended, which
        // needs no reference to the Process (the caller may already have disposed it).
        void Append(string? line)
        {
            lock (gate)
            {
                if (line is not null)
                {
                    log.WriteLine(line);
                }
                else if (--openStreams == 0)
                {
                    log.Dispose();
                }
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Stops a background program we started: SIGTERM, then SIGKILL after the grace period.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        Signals.Terminate(process.Id);
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static ProcessStartInfo CreateStartInfo(
        string fileName, List<string> args, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            startInfo.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                startInfo.Environment[key] = value;
            }
        }

        return startInfo;
    }
}
