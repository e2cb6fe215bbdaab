using System.Text.Json.Serialization;

namespace NodeAgent.Runtime.Snapshots;

/// <summary>What <c>active/&lt;key&gt;/snapshot.json</c> holds: enough to rebuild the mounts after a restart.</summary>
internal sealed record ActiveSnapshotRecord(string Key, string TopChainId);

[JsonSerializable(typeof(ActiveSnapshotRecord))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;
