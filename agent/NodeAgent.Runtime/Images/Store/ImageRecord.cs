namespace NodeAgent.Runtime.Images.Store;

/// <summary>One layer of a stored image: the blob and the snapshot it was unpacked into.</summary>
public sealed record ImageLayer(string Digest, string MediaType, long Size, string DiffId, string ChainId);

/// <summary>
/// A pulled image as the store remembers it. <see cref="Id"/> is the config digest (as in
/// containerd and Docker); tags and repo digests are the names it answers to.
/// </summary>
public sealed record ImageRecord
{
    public required string Id { get; init; }

    public required string ManifestDigest { get; init; }

    /// <summary>The index digest when the image was chosen from a multi-platform index.</summary>
    public string? IndexDigest { get; init; }

    public IReadOnlyList<string> RepoTags { get; init; } = [];

    /// <summary><c>registry/repository@sha256:…</c>: the digest a pull by digest would use (the index's for multi-platform images).</summary>
    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    public required IReadOnlyList<ImageLayer> Layers { get; init; }

    /// <summary>Bytes of manifest, config and compressed layers, as containerd reports.</summary>
    public required long Size { get; init; }

    public required OciPlatform Platform { get; init; }

    public required DateTimeOffset PulledAt { get; init; }

    public bool Pinned { get; init; }

    public string TopChainId => Layers.Count == 0 ? string.Empty : Layers[^1].ChainId;
}
