using System.Collections;

namespace NodeAgent.Configuration;

/// <summary>The raw settings one command saw, before validation (what --print-config shows).</summary>
public sealed record ResolvedConfig(string? ConfigFile, IReadOnlyList<ConfigValue> Values)
{
    public ConfigValue Get(ConfigKey key) => Values.First(v => v.Key == key);

    public ConfigValue? Find(ConfigKey key) => Values.FirstOrDefault(v => v.Key == key);
}

/// <summary>
/// Layers settings with the precedence flag &gt; env (NODEAGENT_*) &gt; config file &gt; default.
/// The file is <c>--config</c>, else <c>NODEAGENT_CONFIG</c>, else /etc/nodeagent/config.yaml when present.
/// </summary>
public static class ConfigResolver
{
    public static ResolvedConfig Resolve(
        IReadOnlyList<ConfigKey> keys,
        IReadOnlyDictionary<string, IReadOnlyList<string>> flags,
        IDictionary environment)
    {
        var configFile = LocateConfigFile(flags, environment);
        var fileValues = configFile is null
            ? new Dictionary<string, ConfigValue>()
            : ConfigFileReader.Read(configFile);

        var values = new List<ConfigValue>();
        foreach (var key in keys)
        {
            if (key == ConfigKeys.Config)
            {
                continue;
            }

            if (flags.TryGetValue(key.Name, out var flagValues))
            {
                values.Add(new ConfigValue(key, flagValues, ConfigSource.Flag, key.Flag));
            }
            else if (environment[key.EnvironmentVariable] is string envValue)
            {
                values.Add(new ConfigValue(key, SplitEnvironmentValue(key, envValue), ConfigSource.Environment, key.EnvironmentVariable));
            }
            else if (fileValues.TryGetValue(key.Name, out var fileValue))
            {
                values.Add(fileValue);
            }
            else
            {
                values.Add(new ConfigValue(key, key.Default is null ? [] : [key.Default], ConfigSource.Default, "default"));
            }
        }

        return new ResolvedConfig(configFile, values);
    }

    private static string? LocateConfigFile(IReadOnlyDictionary<string, IReadOnlyList<string>> flags, IDictionary environment)
    {
        string? explicitPath = null;
        string origin = string.Empty;
        if (flags.TryGetValue(ConfigKeys.Config.Name, out var flagValue) && flagValue.Count > 0)
        {
            explicitPath = flagValue[^1];
            origin = ConfigKeys.Config.Flag;
        }
        else if (environment[ConfigKeys.Config.EnvironmentVariable] is string envValue && envValue.Length > 0)
        {
            explicitPath = envValue;
            origin = ConfigKeys.Config.EnvironmentVariable;
        }

        if (explicitPath is null)
        {
            return File.Exists(ConfigKeys.DefaultConfigFile) ? ConfigKeys.DefaultConfigFile : null;
        }

        var full = Path.GetFullPath(explicitPath);
        return File.Exists(full)
            ? full
            : throw new ConfigException($"config file {explicitPath} (from {origin}) does not exist");
    }

    /// <summary>Repeatable settings take a comma-separated list from the environment, like k3s.</summary>
    private static string[] SplitEnvironmentValue(ConfigKey key, string value)
        => key.IsList
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [value];
}
