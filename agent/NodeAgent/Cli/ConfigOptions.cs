using System.CommandLine;
using NodeAgent.Configuration;

namespace NodeAgent.Cli;

/// <summary>Adds one command-line option per configuration key and reads back the ones given.</summary>
internal sealed class ConfigOptions
{
    private readonly List<(ConfigKey Key, Option Option)> _options = [];

    public ConfigOptions(Command command, IReadOnlyList<ConfigKey> keys)
    {
        Keys = keys;
        foreach (var key in keys)
        {
            Option option = key.IsList
                ? new Option<string[]>(key.Flag) { Description = Describe(key), HelpName = key.HelpName, AllowMultipleArgumentsPerToken = false }
                : new Option<string>(key.Flag) { Description = Describe(key), HelpName = key.HelpName };
            command.Options.Add(option);
            _options.Add((key, option));
        }

        PrintConfig = new Option<bool>("--print-config") { Description = "Print the effective configuration and its sources, then exit" };
        command.Options.Add(PrintConfig);
    }

    public IReadOnlyList<ConfigKey> Keys { get; }

    public Option<bool> PrintConfig { get; }

    /// <summary>Only flags actually present on the command line, so env and file can fill the rest.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> GivenFlags(ParseResult result)
    {
        var given = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, option) in _options)
        {
            if (result.GetResult(option) is not { Implicit: false })
            {
                continue;
            }

            given[key.Name] = option switch
            {
                Option<string[]> list => result.GetValue(list) ?? [],
                Option<string> single => [result.GetValue(single) ?? string.Empty],
                _ => [],
            };
        }

        return given;
    }

    private static string Describe(ConfigKey key)
    {
        var text = $"{key.Description} [env {key.EnvironmentVariable}]";
        return key.Default is null ? text : $"{text} (default {key.Default})";
    }
}
