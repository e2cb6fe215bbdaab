using System.Globalization;
using System.Text.Json;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Oci;

/// <summary><see cref="IOciRuntime"/> over the runc CLI, with conmon monitoring every workload container.</summary>
public sealed class RuncRuntime : IOciRuntime, IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    private readonly OciRuntimeOptions _options;
    private readonly IProcessRunner _processes;
    private readonly ExitWatcher _exits;

    public RuncRuntime(OciRuntimeOptions options, IProcessRunner processes)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _processes = processes;
        Directory.CreateDirectory(options.StateRoot);
        Directory.CreateDirectory(options.ExitDirectory);
        Directory.CreateDirectory(options.AttachDirectory);
        _exits = new ExitWatcher(options.ExitDirectory);
    }

    public async Task<int> CreateAsync(ContainerLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        RemoveExit(launch.Id);
        var (syncRead, syncWrite) = DetachedSpawn.CreatePipe();
        using (syncRead)
        {
            var output = Path.Combine(launch.BundlePath, "conmon.out");
            int conmonPid;
            using (syncWrite)
            {
                conmonPid = DetachedSpawn.Spawn(
                    _options.ConmonPath,
                    ConmonArguments(launch),
                    DetachedSpawn.InheritedEnvironment(new Dictionary<string, string> { ["_OCI_SYNCPIPE"] = "3" }),
                    output,
                    [syncWrite]);
            }

            // conmon forks its monitor and exits; the monitor reports the container's pid (or runc's error) on the sync pipe.
            var parentExit = await DetachedSpawn.WaitForExitAsync(conmonPid);
            var message = await ReadSyncMessageAsync(syncRead, cancellationToken);
            if (message is { Pid: > 0 })
            {
                return message.Pid;
            }

            var detail = message?.Message ?? ReadAllOrEmpty(output);
            throw new RuntimeException(
                RuntimeErrorKind.Internal,
                $"create container {launch.Id}: {(string.IsNullOrWhiteSpace(detail) ? $"conmon exited with {parentExit}" : detail.Trim())}");
        }
    }

    public async Task StartAsync(string id, CancellationToken cancellationToken)
    {
        // runc's start protocol in-process where the runtime is runc (see ExecFifo); its CLI for the rest and for every error.
        if (IsRunc && await ExecFifo.StartAsync(_options.StateRoot, id, CallTimeout, cancellationToken) == ExecFifo.Outcome.Started)
        {
            return;
        }

        await RunAsync(["start", id], $"start container {id}", cancellationToken);
    }

    private bool IsRunc => Path.GetFileName(_options.RuntimePath) == "runc";

    public async Task<int> RunDetachedAsync(string id, string bundlePath, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(bundlePath, "pid");
        var output = Path.Combine(bundlePath, "runc.out");
        var pid = DetachedSpawn.Spawn(
            _options.RuntimePath,
            ["--root", _options.StateRoot, "run", "--detach", "--bundle", bundlePath, "--pid-file", pidFile, id],
            DetachedSpawn.InheritedEnvironment(),
            output,
            []);
        var exit = await DetachedSpawn.WaitForExitAsync(pid);
        if (exit != 0)
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"run sandbox container {id}: {RuncError(ReadAllOrEmpty(output))}");
        }

        return int.Parse(await File.ReadAllTextAsync(pidFile, cancellationToken), NumberStyles.Integer, CultureInfo.InvariantCulture);
    }

    public async Task KillAsync(string id, int signal, bool all, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "kill" };
        if (all)
        {
            arguments.Add("--all");
        }

        arguments.AddRange([id, signal.ToString(CultureInfo.InvariantCulture)]);
        var result = await _processes.RunAsync(Spec(arguments), cancellationToken);
        // Killing a container that already stopped is what every caller wants anyway.
        if (!result.Succeeded && !IsNotRunning(result.StandardError))
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"signal {signal} to container {id}: {RuncError(result.StandardError)}");
        }
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var result = await _processes.RunAsync(Spec(["delete", "--force", id]), cancellationToken);
        if (!result.Succeeded && !IsMissing(result.StandardError))
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"delete container {id}: {RuncError(result.StandardError)}");
        }
    }

    public async Task<OciState?> StateAsync(string id, CancellationToken cancellationToken)
    {
        var result = await _processes.RunAsync(Spec(["state", id]), cancellationToken);
        if (!result.Succeeded)
        {
            return IsMissing(result.StandardError)
                ? null
                : throw new RuntimeException(RuntimeErrorKind.Internal, $"state of container {id}: {RuncError(result.StandardError)}");
        }

        using var document = JsonDocument.Parse(result.StandardOutput);
        var root = document.RootElement;
        return new OciState(id, root.GetProperty("status").GetString() ?? "unknown", root.TryGetProperty("pid", out var pid) ? pid.GetInt32() : 0);
    }

    public async Task<ExecResult> ExecAsync(string id, string processSpecPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pidFile = processSpecPath + ".pid";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout > TimeSpan.Zero)
        {
            deadline.CancelAfter(timeout);
        }

        try
        {
            var spec = Spec(["exec", "--process", processSpecPath, "--pid-file", pidFile, id]) with { Timeout = Timeout.InfiniteTimeSpan };
            var result = await _processes.RunAsync(spec, deadline.Token);
            if (result.ExitCode != 0 && result.StandardError.Contains("level=error", StringComparison.Ordinal) && !File.Exists(pidFile))
            {
                // runc itself failed (the process never started); not the command's own exit code.
                throw new RuntimeException(RuntimeErrorKind.Internal, $"exec in container {id}: {RuncError(result.StandardError)}");
            }

            return new ExecResult(result.ExitCode, result.StandardOutput, result.StandardError);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            KillPidFrom(pidFile);
            throw new TimeoutException($"command in container {id} timed out after {timeout.TotalSeconds:0.###} s");
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    public async Task UpdateAsync(string id, string resourcesPath, CancellationToken cancellationToken)
        => await RunAsync(["update", "--resources", resourcesPath, id], $"update resources of container {id}", cancellationToken);

    public ContainerExit? ReadExit(string id) => _exits.Read(id);

    public Task<ContainerExit> WaitForExitAsync(string id, CancellationToken cancellationToken) => _exits.WaitAsync(id, cancellationToken);

    public void RemoveExit(string id) => _exits.Remove(id);

    public void Dispose() => _exits.Dispose();

    private List<string> ConmonArguments(ContainerLaunch launch)
    {
        var arguments = new List<string>
        {
            "--api-version", "1",
            "--cid", launch.Id,
            "--cuuid", launch.Id,
            "--name", launch.Name,
            "--runtime", _options.RuntimePath,
            "--runtime-arg", "--root=" + _options.StateRoot,
            "--bundle", launch.BundlePath,
            "--container-pidfile", launch.PidFile,
            "--conmon-pidfile", launch.ConmonPidFile,
            "--log-path", "k8s-file:" + launch.LogPath,
            "--exit-dir", _options.ExitDirectory,
            "--socket-dir-path", _options.AttachDirectory,
            "--log-level", "error",
        };
        if (launch.Stdin)
        {
            arguments.Add("--stdin");
            if (!launch.StdinOnce)
            {
                arguments.Add("--leave-stdin-open");
            }
        }

        if (launch.Terminal)
        {
            arguments.Add("--terminal");
        }

        return arguments;
    }

    private async Task RunAsync(IReadOnlyList<string> arguments, string operation, CancellationToken cancellationToken)
    {
        var result = await _processes.RunAsync(Spec(arguments), cancellationToken);
        if (!result.Succeeded)
        {
            var kind = IsMissing(result.StandardError) ? RuntimeErrorKind.NotFound : RuntimeErrorKind.Internal;
            throw new RuntimeException(kind, $"{operation}: {RuncError(result.StandardError)}");
        }
    }

    private ProcessSpec Spec(IReadOnlyList<string> arguments)
        => new(_options.RuntimePath, ["--root", _options.StateRoot, .. arguments]) { Timeout = CallTimeout };

    private static async Task<SyncMessage?> ReadSyncMessageAsync(Microsoft.Win32.SafeHandles.SafeFileHandle read, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(read, FileAccess.Read, bufferSize: 0, isAsync: false);
        using var reader = new StreamReader(stream);
        var line = await reader.ReadLineAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var pid = root.TryGetProperty("data", out var data) ? data.GetInt32() : root.TryGetProperty("pid", out var legacy) ? legacy.GetInt32() : -1;
        var message = root.TryGetProperty("message", out var m) ? m.GetString() : null;
        return new SyncMessage(pid, message);
    }

    private static void KillPidFrom(string pidFile)
    {
        if (File.Exists(pidFile)
            && int.TryParse(ReadAllOrEmpty(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            && pid > 0)
        {
            ProcessSignals.Send(pid, ProcessSignals.SigKill);
        }
    }

    private static string ReadAllOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static bool IsMissing(string stderr) => stderr.Contains("does not exist", StringComparison.Ordinal) || stderr.Contains("not found", StringComparison.OrdinalIgnoreCase);

    private static bool IsNotRunning(string stderr) => IsMissing(stderr) || stderr.Contains("not running", StringComparison.Ordinal) || stderr.Contains("process already finished", StringComparison.Ordinal);

    /// <summary>runc logs as <c>time=… level=error msg="…"</c>; the msg is what a person needs.</summary>
    internal static string RuncError(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var line in lines.Reverse())
        {
            var at = line.IndexOf("msg=\"", StringComparison.Ordinal);
            if (at >= 0)
            {
                var message = line[(at + 5)..];
                var end = message.LastIndexOf('"');
                return (end > 0 ? message[..end] : message).Replace("\\\"", "\"", StringComparison.Ordinal);
            }
        }

        return lines.Length == 0 ? "no error output" : lines[^1];
    }

    private sealed record SyncMessage(int Pid, string? Message);
}
