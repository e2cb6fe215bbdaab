using System.Collections;
using System.CommandLine;
using NodeAgent.Configuration;

namespace NodeAgent.Cli;

/// <summary>
/// A subcommand that starts from the shared configuration: resolves flags, env and file,
/// validates, honours --print-config, then runs its body with the options.
/// </summary>
internal static class ConfiguredCommand
{
    public delegate Task<int> Body(NodeAgentOptions options, CommandContext context, ParseResult result, CancellationToken cancellationToken);

    public static Command Create(string name, string description, IReadOnlyList<ConfigKey> keys, CommandContext context, Body body)
    {
        var command = new Command(name, description);
        var configOptions = new ConfigOptions(command, keys);
        command.SetAction(async (result, ct) =>
        {
            NodeAgentOptions options;
            ResolvedConfig resolved;
            try
            {
                resolved = ConfigResolver.Resolve(keys, configOptions.GivenFlags(result), context.Environment);
                options = NodeAgentOptionsBuilder.Build(resolved);
            }
            catch (ConfigException e)
            {
                await context.Error.WriteLineAsync($"nodeagent {name}: {e.Message}");
                return ExitCodes.Usage;
            }

            if (result.GetValue(configOptions.PrintConfig))
            {
                await context.Output.WriteAsync(ConfigPrinter.Print(resolved, options));
                return ExitCodes.Success;
            }

            return await body(options, context, result, ct);
        });
        return command;
    }

    /// <summary>Body for the parts of the command-line contract that later work fills in.</summary>
    public static Body NotImplemented(string what) => async (_, context, _, _) =>
    {
        await context.Error.WriteLineAsync($"nodeagent {what}: not implemented yet in this build (see the status table in README.md)");
        return ExitCodes.NotImplemented;
    };
}

/// <summary>What a command may touch of the outside world; tests pass their own.</summary>
internal sealed record CommandContext(TextWriter Output, TextWriter Error, IDictionary Environment)
{
    public static CommandContext FromProcess() => new(Console.Out, Console.Error, System.Environment.GetEnvironmentVariables());
}
