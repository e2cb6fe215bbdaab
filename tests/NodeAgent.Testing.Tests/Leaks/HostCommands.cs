using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Tests.Leaks;

/// <summary>Creates and removes real leftovers for the leak-check tests.</summary>
internal static class HostCommands
{
    /// <summary>Runs a host tool and throws with its output on failure; a missing tool throws too.</summary>
    public static Task<ProcessResult> RunAsync(string tool, IEnumerable<string> args, CancellationToken ct)
        => RunCheckedAsync(HostTool.Resolve(tool), args, ct);

    /// <summary>
    /// Cleanup under its own deadline, so a test that ran out of time still cleans up. Failures are
    /// ignored here (the thing may never have been created); the final leak check catches real leftovers.
    /// </summary>
    public static async Task CleanupAsync(string tool, params string[] args)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await TestProcess.RunAsync(HostTool.Resolve(tool), args, cts.Token);
    }

    private static async Task<ProcessResult> RunCheckedAsync(string fileName, IEnumerable<string> args, CancellationToken ct)
        => (await TestProcess.RunAsync(fileName, args, ct)).EnsureSuccess();
}
