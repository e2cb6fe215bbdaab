namespace NodeAgent.Runtime.Images.Distribution;

/// <summary>
/// One place to ask for a reference: the API root (<c>scheme://host[:port][/prefix]/v2/</c>), the
/// repository as this endpoint names it (after mirror rewrites), and the host's settings.
/// </summary>
public sealed record RegistryEndpoint(Uri ApiRoot, string Repository, bool IsMirror, RegistryHostSettings? Settings)
{
    /// <summary>host[:port] as written in registries.yaml configs and error messages.</summary>
    public string Host => ApiRoot.Authority;

    public Uri ManifestUri(string reference) => new(ApiRoot, $"{Repository}/manifests/{reference}");

    public Uri BlobUri(string digest) => new(ApiRoot, $"{Repository}/blobs/{digest}");

    public override string ToString() => ApiRoot.GetLeftPart(UriPartial.Authority);
}
