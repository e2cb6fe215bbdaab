using System.Text.Json.Nodes;
using NodeAgent.Runtime.Containers;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci;
using NodeAgent.Runtime.Streaming.Native;
using NodeAgent.Runtime.Streaming.RemoteCommand;

namespace NodeAgent.Runtime.Streaming;

/// <summary>
/// The process side of a streaming exec: <c>runc exec</c> with the container's own process spec and
/// new args, its stdio on pipes, or (tty) on a pty of ours that is runc's controlling terminal —
/// runc then allocates the container's pty, copies between the two and passes our size changes
/// (SIGWINCH) on, as under CRI-O.
/// </summary>
internal sealed class ContainerExecSession(ContainerManager containers, OciRuntimeOptions oci)
{
    public async Task<StartedExec> StartAsync(string containerId, IReadOnlyList<string> command, RemoteCommandOptions options, CancellationToken cancellationToken)
    {
        var record = await containers.GetAsync(containerId, cancellationToken);
        if (record.State != ContainerPhase.Running)
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"exec in container {record.Id}: it is not running");
        }

        var bundle = containers.BundleOf(record.Id);
        var processPath = Path.Combine(bundle, $"exec-{Guid.NewGuid():N}.json");
        var spec = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bundle, "config.json"), cancellationToken))!.AsObject();
        var process = spec["process"]!.AsObject();
        process["args"] = new JsonArray(command.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray());
        process["terminal"] = options.Tty;
        process.Remove("consoleSize");
        await File.WriteAllTextAsync(processPath, process.ToJsonString(), cancellationToken);
        List<string> arguments = ["--root", oci.StateRoot, "exec"];
        if (options.Tty)
        {
            arguments.Add("--tty");
        }

        var pidFile = processPath + ".pid";
        arguments.AddRange(["--process", processPath, "--pid-file", pidFile, record.Id]);
        try
        {
            var started = options.Tty
                ? StdioProcess.StartWithTerminal(oci.RuntimePath, arguments, size: null)
                : StdioProcess.StartWithPipes(oci.RuntimePath, arguments, options.Stdin);
            return new StartedExec(started, processPath, pidFile);
        }
        catch
        {
            File.Delete(processPath);
            throw;
        }
    }
}

/// <summary>A running <c>runc exec</c>: the runc process we wait on and the command's own pid (in its pid file).</summary>
internal sealed class StartedExec(StdioProcess runc, string processSpec, string pidFile) : IAsyncDisposable
{
    public StdioProcess Process => runc;

    /// <summary>
    /// Ends the session early (the client left): the command itself is killed through its pid file,
    /// since killing only runc would leave it running in the container, then runc.
    /// </summary>
    public void Kill()
    {
        if (!runc.HasExited && File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            ProcessSignals.Send(pid, 9);
        }

        runc.Kill();
    }

    public async ValueTask DisposeAsync()
    {
        await runc.DisposeAsync();
        File.Delete(processSpec);
        File.Delete(pidFile);
    }
}
