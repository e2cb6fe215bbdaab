namespace NodeAgent.Runtime.Oci;

/// <summary>Where the OCI runtime (runc by default, crun selectable) and conmon live and keep their state.</summary>
public sealed record OciRuntimeOptions
{
    public string RuntimePath { get; init; } = "/usr/sbin/runc";

    public string ConmonPath { get; init; } = "/usr/bin/conmon";

    /// <summary>The runtime's state root (<c>runc --root</c>): private to this agent, under its run dir.</summary>
    public required string StateRoot { get; init; }

    /// <summary>conmon writes each container's exit code here, in a file named after the container id.</summary>
    public required string ExitDirectory { get; init; }

    /// <summary>conmon's attach sockets.</summary>
    public required string AttachDirectory { get; init; }

    public static OciRuntimeOptions For(RuntimePaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return new OciRuntimeOptions
        {
            StateRoot = Path.Combine(paths.RunDir, "runc"),
            ExitDirectory = Path.Combine(paths.RunDir, "exits"),
            AttachDirectory = Path.Combine(paths.RunDir, "attach"),
        };
    }
}

/// <summary>A container to create under conmon.</summary>
public sealed record ContainerLaunch(string Id, string Name, string BundlePath, string LogPath)
{
    public bool Stdin { get; init; }

    public bool StdinOnce { get; init; }

    public bool Terminal { get; init; }

    /// <summary>conmon's own pid is written here (it is the container's monitor and outlives the agent).</summary>
    public string ConmonPidFile => Path.Combine(BundlePath, "conmon.pid");

    /// <summary>The container's init pid as the runtime reports it.</summary>
    public string PidFile => Path.Combine(BundlePath, "pid");
}

/// <summary>What <c>runc state</c> reports.</summary>
public sealed record OciState(string Id, string Status, int Pid)
{
    public bool IsRunning => Status is "running" or "paused";
}

/// <summary>The outcome of a command run inside a container.</summary>
public sealed record ExecResult(int ExitCode, string StandardOutput, string StandardError);
