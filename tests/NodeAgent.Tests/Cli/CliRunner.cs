using System.Collections;
using NodeAgent.Cli;

namespace NodeAgent.Tests.Cli;

/// <summary>Runs the CLI in-process with captured output and a private environment.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, IDictionary? environment = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CommandContext(stdout, stderr, environment ?? new Hashtable());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var exitCode = await NodeAgentCli.RunAsync(args, context, cts.Token);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
