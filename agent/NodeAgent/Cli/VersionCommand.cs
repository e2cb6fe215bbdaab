using System.CommandLine;

namespace NodeAgent.Cli;

/// <summary><c>nodeagent version</c>: version, commit and the CRI API version this build speaks.</summary>
internal static class VersionCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("version", "Print the version, commit and CRI API version");
        command.SetAction(async (_, _) =>
        {
            await context.Output.WriteAsync(
                $"nodeagent {BuildInfo.Version}\n" +
                $"commit: {BuildInfo.Commit}\n" +
                $"CRI API version: {BuildInfo.CriApiVersion}\n" +
                $"runtime: {BuildInfo.Runtime}\n");
            return ExitCodes.Success;
        });
        return command;
    }
}
