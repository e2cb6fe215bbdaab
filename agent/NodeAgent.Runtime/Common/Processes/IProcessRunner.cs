namespace NodeAgent.Runtime.Common.Processes;

/// <summary>The one seam through which the runtime runs external programs (runc, conmon, CNI plugins, ip …).</summary>
public interface IProcessRunner
{
    /// <summary>
    /// Runs the program to completion and returns its exit code and output. The process is always
    /// reaped: on cancellation or timeout it is killed and awaited before the call throws.
    /// </summary>
    Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken);
}
