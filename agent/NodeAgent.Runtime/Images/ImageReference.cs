namespace NodeAgent.Runtime.Images;

/// <summary>
/// A normalised image reference, Docker style: <c>busybox</c> → <c>docker.io/library/busybox:latest</c>.
/// Registry is the host[:port]; Repository is the path; a reference has a tag, a digest, or both.
/// </summary>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";

    /// <summary><c>registry/repository</c>, without tag or digest.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>Tag if set, else the digest: what to ask the registry's manifest endpoint for.</summary>
    public string ManifestReference => Digest ?? Tag ?? "latest";

    public override string ToString()
        => Name + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);
}
