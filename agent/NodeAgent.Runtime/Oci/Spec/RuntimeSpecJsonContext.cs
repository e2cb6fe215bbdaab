using System.Text.Json.Serialization;

namespace NodeAgent.Runtime.Oci.Spec;

/// <summary>Source-generated JSON for config.json: camelCase is the spec's own spelling, nulls are left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(RuntimeSpec))]
[JsonSerializable(typeof(OciSeccomp))]
public sealed partial class RuntimeSpecJsonContext : JsonSerializerContext;
