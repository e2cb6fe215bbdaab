namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>Credentials for one pull, from the CRI AuthConfig or registries.yaml.</summary>
public sealed record RegistryAuth(string? Username = null, string? Password = null, string? IdentityToken = null, string? RegistryToken = null)
{
    public override string ToString() => Username is null ? "(token)" : $"{Username}:***";
}

/// <summary>A manifest or index exactly as the registry served it (bytes verified against <see cref="Digest"/>).</summary>
public sealed record FetchedManifest(string MediaType, string Digest, ReadOnlyMemory<byte> Content);

/// <summary>
/// Reads from OCI distribution registries: manifests by tag or digest and blobs (optionally
/// from an offset, for resuming). Mirrors, auth challenges, TLS/plain-HTTP choice and retries of
/// transient faults live behind this interface; callers only see references and digests.
/// </summary>
public interface IRegistryClient
{
    /// <summary>Fetches the manifest or index <paramref name="reference"/> names; by-digest results are verified.</summary>
    Task<FetchedManifest> GetManifestAsync(ImageReference reference, RegistryAuth? auth, CancellationToken cancellationToken);

    /// <summary>
    /// Opens blob <paramref name="digest"/> of <paramref name="reference"/>'s repository, starting at
    /// <paramref name="offset"/> (HTTP Range). The stream yields raw bytes; the caller verifies the digest.
    /// </summary>
    Task<Stream> OpenBlobAsync(ImageReference reference, string digest, long offset, RegistryAuth? auth, CancellationToken cancellationToken);
}
