namespace NodeAgent.Configuration;

/// <summary>What kind of value a configuration key holds; decides how it is parsed and validated.</summary>
public enum ConfigValueKind
{
    Path,
    Text,
    IpAddress,
    Port,
    Cidr,
    UnixEndpoint,
    DatastoreEndpoint,
    HostPort,
    Quantity,
    Count,
}

/// <summary>
/// One configuration setting. The same name is the flag (<c>--data-dir</c>), the YAML key
/// (<c>data-dir:</c>) and, upper-cased with underscores, the env var (<c>NODEAGENT_DATA_DIR</c>).
/// </summary>
public sealed record ConfigKey(string Name, ConfigValueKind Kind, string Description, string? Default = null, bool IsList = false)
{
    public string Flag => "--" + Name;

    public string EnvironmentVariable => "NODEAGENT_" + Name.ToUpperInvariant().Replace('-', '_');

    public string HelpName => Kind switch
    {
        ConfigValueKind.Path => "PATH",
        ConfigValueKind.IpAddress => "IP",
        ConfigValueKind.Port => "PORT",
        ConfigValueKind.Cidr => "CIDR",
        ConfigValueKind.UnixEndpoint => "unix://PATH",
        ConfigValueKind.DatastoreEndpoint => "sqlite|http://HOST:PORT",
        ConfigValueKind.HostPort => "HOST:PORT",
        ConfigValueKind.Quantity => "SIZE",
        ConfigValueKind.Count => "N",
        _ => "VALUE",
    };
}
