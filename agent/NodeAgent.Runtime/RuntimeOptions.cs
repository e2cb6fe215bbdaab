namespace NodeAgent.Runtime;

/// <summary>What the CRI runtime is started with (validated by the CLI's configuration layer).</summary>
public sealed record RuntimeOptions
{
    public required string DataDir { get; init; }

    public required string RunDir { get; init; }

    /// <summary>Socket path the CRI server listens on (without the unix:// scheme).</summary>
    public string? ListenSocket { get; init; }

    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>registries.yaml (k3s format); a missing file at the default location means "no mirrors".</summary>
    public string? RegistryConfig { get; init; }

    public string Version { get; init; } = "0.0.0";

    public RuntimePaths Paths => new(DataDir, RunDir);
}
