namespace NodeAgent.Testing.Images;

/// <summary>Media types from the OCI image spec (and the Docker ones registries may answer with).</summary>
public static class OciMediaTypes
{
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>The annotation an OCI layout's index.json uses to name (tag) an entry.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
}
