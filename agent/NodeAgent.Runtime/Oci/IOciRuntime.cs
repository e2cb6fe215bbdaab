namespace NodeAgent.Runtime.Oci;

/// <summary>
/// The OCI runtime CLI (runc) with conmon as each container's monitor. Ids are runtime ids; a
/// missing container is not an error for <see cref="DeleteAsync"/> and reads as null from
/// <see cref="StateAsync"/>.
/// </summary>
public interface IOciRuntime
{
    /// <summary>Creates the container under a new conmon (log file, exit file); returns the init pid. The container is "created", not started.</summary>
    Task<int> CreateAsync(ContainerLaunch launch, CancellationToken cancellationToken);

    Task StartAsync(string id, CancellationToken cancellationToken);

    /// <summary>Creates and starts a container with no monitor and no output (a sandbox's infra process); returns its pid.</summary>
    Task<int> RunDetachedAsync(string id, string bundlePath, CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="signal"/> to the init process, or to every process of the container when <paramref name="all"/>.</summary>
    Task KillAsync(string id, int signal, bool all, CancellationToken cancellationToken);

    Task DeleteAsync(string id, CancellationToken cancellationToken);

    Task<OciState?> StateAsync(string id, CancellationToken cancellationToken);

    /// <summary>Runs a process (an OCI process JSON file) in the container and waits for it; killed after <paramref name="timeout"/> (<see cref="TimeoutException"/>).</summary>
    Task<ExecResult> ExecAsync(string id, string processSpecPath, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Applies new cgroup limits (an OCI linux.resources JSON file).</summary>
    Task UpdateAsync(string id, string resourcesPath, CancellationToken cancellationToken);

    /// <summary>The exit code conmon recorded, or null while the container runs (or was never started under conmon).</summary>
    ContainerExit? ReadExit(string id);

    /// <summary>Completes when conmon records the exit of <paramref name="id"/>.</summary>
    Task<ContainerExit> WaitForExitAsync(string id, CancellationToken cancellationToken);

    /// <summary>Forgets the exit record (on container removal).</summary>
    void RemoveExit(string id);
}

/// <summary>An exit as conmon recorded it, with the time it was written.</summary>
public sealed record ContainerExit(int ExitCode, DateTimeOffset FinishedAt);
