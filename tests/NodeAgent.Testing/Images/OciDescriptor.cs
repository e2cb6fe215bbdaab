using System.Text.Json.Serialization;

namespace NodeAgent.Testing.Images;

/// <summary>An OCI content descriptor: what a manifest, index or index.json points at.</summary>
public sealed record OciDescriptor(
    string MediaType,
    string Digest,
    long Size,
    ImagePlatform? Platform = null,
    IReadOnlyDictionary<string, string>? Annotations = null)
{
    /// <summary>The tag of an index.json entry (its <c>org.opencontainers.image.ref.name</c> annotation).</summary>
    [JsonIgnore]
    public string? RefName => Annotations?.GetValueOrDefault(OciMediaTypes.RefNameAnnotation);

    public static OciDescriptor For(string mediaType, ReadOnlySpan<byte> content, ImagePlatform? platform = null)
        => new(mediaType, Digests.Sha256(content), content.Length, platform);
}
