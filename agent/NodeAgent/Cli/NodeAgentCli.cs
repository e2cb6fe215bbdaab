using System.CommandLine;
using NodeAgent.Configuration;

namespace NodeAgent.Cli;

/// <summary>The <c>nodeagent</c> command tree (DESIGN.md §6a).</summary>
internal static class NodeAgentCli
{
    public static RootCommand Create(CommandContext context)
    {
        var root = new RootCommand("NodeAgent: a small Kubernetes node with its own CRI runtime");
        root.Subcommands.Add(VersionCommand.Create(context));
        root.Subcommands.Add(ServerCommand.Create(context));
        root.Subcommands.Add(CriCommand.Create(context));
        root.Subcommands.Add(ImagesCommand.Create(context));
        root.Subcommands.Add(KubeconfigCommand.Create(context));
        root.Subcommands.Add(PruneCommand.Create(context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CommandContext context, CancellationToken cancellationToken)
    {
        var root = Create(context);
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            var commandPath = CommandPath(result.CommandResult);
            await context.Error.WriteLineAsync($"{commandPath}: {result.Errors[0].Message} (see '{commandPath} --help')");
            return ExitCodes.Usage;
        }

        // No System.CommandLine termination handling: its default forces exit 143 two seconds after SIGTERM, which cuts
        // short `server`'s orderly shutdown (components, API, datastore); server and cri handle SIGTERM themselves.
        var invocation = new InvocationConfiguration { Output = context.Output, Error = context.Error, ProcessTerminationTimeout = null };
        return await result.InvokeAsync(invocation, cancellationToken);
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult? command)
    {
        var names = new List<string>();
        for (var current = command; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(current.Command is RootCommand ? "nodeagent" : current.Command.Name);
        }

        names.Reverse();
        return names.Count == 0 ? "nodeagent" : string.Join(' ', names);
    }
}
