namespace NodeAgent.Testing.Images;

/// <summary>A layer as written: its blob descriptor and the digest of its uncompressed tar.</summary>
public sealed record BuiltLayer(OciDescriptor Descriptor, string DiffId);

/// <summary>An image written to an OCI layout.</summary>
public sealed record BuiltImage(ImageSpec Spec, OciDescriptor Manifest, OciDescriptor Config, IReadOnlyList<BuiltLayer> Layers)
{
    public string ManifestDigest => Manifest.Digest;
}

/// <summary>A multi-platform image index written to an OCI layout, with one image per platform.</summary>
public sealed record BuiltIndex(string Tag, OciDescriptor Index, IReadOnlyList<BuiltImage> Images)
{
    public string IndexDigest => Index.Digest;
}
