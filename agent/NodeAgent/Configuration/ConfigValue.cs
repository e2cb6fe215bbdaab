namespace NodeAgent.Configuration;

/// <summary>Where a setting's value came from, in increasing precedence.</summary>
public enum ConfigSource
{
    Default,
    File,
    Environment,
    Flag,
}

/// <summary>A resolved raw setting with its origin, e.g. "file /etc/nodeagent/config.yaml:4:12".</summary>
public sealed record ConfigValue(ConfigKey Key, IReadOnlyList<string> Values, ConfigSource Source, string Origin)
{
    public string? Last => Values.Count > 0 ? Values[^1] : null;
}
