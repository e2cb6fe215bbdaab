using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NodeAgent.Testing.Images;

/// <summary>An OCI image manifest.</summary>
public sealed record OciManifest(int SchemaVersion, string MediaType, OciDescriptor Config, IReadOnlyList<OciDescriptor> Layers);

/// <summary>An OCI image index (also the shape of an OCI layout's index.json).</summary>
public sealed record OciIndex(int SchemaVersion, string? MediaType, IReadOnlyList<OciDescriptor> Manifests);

/// <summary>An OCI image config (only the fields the test images use).</summary>
public sealed record OciImageConfig(
    string Created,
    string Architecture,
    string Os,
    string? Variant,
    OciContainerConfig Config,
    OciRootFs Rootfs,
    IReadOnlyList<OciHistory> History);

/// <summary>The <c>config</c> object of an image config; its keys are PascalCase in the spec.</summary>
public sealed record OciContainerConfig(
    [property: JsonPropertyName("User")] string? User,
    [property: JsonPropertyName("ExposedPorts")] IReadOnlyDictionary<string, OciEmptyObject>? ExposedPorts,
    [property: JsonPropertyName("Env")] IReadOnlyList<string>? Env,
    [property: JsonPropertyName("Entrypoint")] IReadOnlyList<string>? Entrypoint,
    [property: JsonPropertyName("Cmd")] IReadOnlyList<string>? Cmd,
    [property: JsonPropertyName("WorkingDir")] string? WorkingDir,
    [property: JsonPropertyName("Labels")] IReadOnlyDictionary<string, string>? Labels,
    [property: JsonPropertyName("StopSignal")] string? StopSignal);

public sealed record OciRootFs(
    string Type,
    [property: JsonPropertyName("diff_ids")] IReadOnlyList<string> DiffIds);

public sealed record OciHistory(
    string Created,
    [property: JsonPropertyName("created_by")] string CreatedBy,
    [property: JsonPropertyName("empty_layer")] bool? EmptyLayer = null);

/// <summary>The <c>{}</c> values of ExposedPorts.</summary>
public sealed record OciEmptyObject;

/// <summary>The one JSON shape for OCI documents: camelCase, nulls omitted, '+' left unescaped.</summary>
public static class OciJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Serialize<T>(T document) => JsonSerializer.SerializeToUtf8Bytes(document, Options);

    public static T Deserialize<T>(ReadOnlySpan<byte> json)
        => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, got null.");
}
