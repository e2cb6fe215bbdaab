using System.Text.Json;
using System.Text.Json.Serialization;

namespace NodeAgent.Runtime.Images;

/// <summary>OCI image index or Docker manifest list.</summary>
public sealed record OciIndex
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; } = 2;

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("manifests")]
    public IReadOnlyList<OciDescriptor> Manifests { get; init; } = [];
}

/// <summary>OCI image manifest or Docker schema 2 manifest.</summary>
public sealed record OciManifest
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; } = 2;

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("config")]
    public required OciDescriptor Config { get; init; }

    [JsonPropertyName("layers")]
    public IReadOnlyList<OciDescriptor> Layers { get; init; } = [];
}

/// <summary>The image configuration blob: platform, run defaults and the layers' diff IDs.</summary>
public sealed record OciImageConfig
{
    [JsonPropertyName("created")]
    public DateTimeOffset? Created { get; init; }

    [JsonPropertyName("architecture")]
    public string Architecture { get; init; } = string.Empty;

    [JsonPropertyName("os")]
    public string Os { get; init; } = string.Empty;

    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    [JsonPropertyName("config")]
    public OciRunConfig? Config { get; init; }

    [JsonPropertyName("rootfs")]
    public OciRootFs RootFs { get; init; } = new();
}

/// <summary>Defaults for containers run from the image (the "config" object of the image config).</summary>
public sealed record OciRunConfig
{
    [JsonPropertyName("User")]
    public string? User { get; init; }

    [JsonPropertyName("ExposedPorts")]
    public IReadOnlyDictionary<string, JsonElement>? ExposedPorts { get; init; }

    [JsonPropertyName("Env")]
    public IReadOnlyList<string>? Env { get; init; }

    [JsonPropertyName("Entrypoint")]
    public IReadOnlyList<string>? Entrypoint { get; init; }

    [JsonPropertyName("Cmd")]
    public IReadOnlyList<string>? Cmd { get; init; }

    [JsonPropertyName("Volumes")]
    public IReadOnlyDictionary<string, JsonElement>? Volumes { get; init; }

    [JsonPropertyName("WorkingDir")]
    public string? WorkingDir { get; init; }

    [JsonPropertyName("Labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("StopSignal")]
    public string? StopSignal { get; init; }
}

public sealed record OciRootFs
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "layers";

    [JsonPropertyName("diff_ids")]
    public IReadOnlyList<string> DiffIds { get; init; } = [];
}

/// <summary>Only what is needed to tell an index from a manifest before parsing it fully.</summary>
public sealed record OciVersioned
{
    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("manifests")]
    public JsonElement? Manifests { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(OciImageConfig))]
[JsonSerializable(typeof(OciVersioned))]
public sealed partial class OciJsonContext : JsonSerializerContext;
