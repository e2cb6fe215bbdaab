namespace NodeAgent.Testing.NodeAgentCri;

/// <summary>How a test starts <c>nodeagent cri</c>: every path private to the test.</summary>
public sealed record NodeAgentCriSettings
{
    public required string Prefix { get; init; }

    /// <summary>Temp directory holding data, run dir, socket, config and the log.</summary>
    public required string BaseDirectory { get; init; }

    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>Contents of registries.yaml (k3s format), or null for none.</summary>
    public string? RegistriesYaml { get; init; }

    /// <summary>The built nodeagent.dll; by default the copy next to the test assembly.</summary>
    public string NodeAgentDll { get; init; } = Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");

    /// <summary>The pod bridge; by default named from the prefix so leak checks find it (at most 15 bytes).</summary>
    public string? Bridge { get; init; }

    public string BridgeName => Bridge ?? Prefix[..Math.Min(Prefix.Length, 12)] + "b";

    /// <summary>A /24 of its own, so runtimes started by parallel tests never share addresses.</summary>
    public string PodCidr { get; init; } = Common.TestIds.NewSubnet24();

    /// <summary>Extra environment for the process (e.g. runtime knobs a benchmark compares).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string DataDir => Path.Combine(BaseDirectory, "data");

    public string RunDir => Path.Combine(BaseDirectory, "run");

    public string Socket => Path.Combine(RunDir, "cri.sock");

    public string Endpoint => "unix://" + Socket;

    public string RegistriesYamlPath => Path.Combine(BaseDirectory, "registries.yaml");

    public string LogFile => Path.Combine(BaseDirectory, "nodeagent-cri.log");
}
