using System.Text.Json.Nodes;

namespace NodeAgent.Runtime.Network;

/// <summary>Where a sandbox's network set-up got to; <see cref="SettingUp"/> on disk means a crash or failure midway.</summary>
internal enum PodNetworkPhase
{
    SettingUp,
    Ready,
}

/// <summary>
/// Everything DEL needs, written before the first ADD and completed after the last, so a restart
/// (or a new agent with different flags) tears a sandbox down with exactly what set it up.
/// </summary>
internal sealed record PodNetworkState
{
    public required string SandboxId { get; init; }

    public required PodNetworkPhase Phase { get; init; }

    public required string NetnsPath { get; init; }

    public required string InterfaceName { get; init; }

    /// <summary>CNI_ARGS as pairs, in order.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> CniArgs { get; init; }

    public required JsonObject PodNetworkConfig { get; init; }

    /// <summary>The loopback plugin's list, for DEL, in state written before lo was set up in-process; null since.</summary>
    public JsonObject? LoopbackConfig { get; init; }

    public required JsonObject RuntimeConfig { get; init; }

    /// <summary>The pod network's final ADD result (prevResult for DEL); null until ADD finished.</summary>
    public JsonObject? Result { get; init; }

    public IReadOnlyList<string> Addresses { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }
}
