namespace NodeAgent.Runtime.Images;

/// <summary>Media types of OCI and Docker schema 2 documents and layers.</summary>
public static class OciMediaTypes
{
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    public const string Layer = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string NonDistributableLayer = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public const string NonDistributableLayerGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /// <summary>Accept header for manifest requests, in order of preference.</summary>
    public static readonly IReadOnlyList<string> ManifestAccept = [ImageIndex, DockerManifestList, ImageManifest, DockerManifest];

    public static bool IsIndex(string mediaType) => mediaType is ImageIndex or DockerManifestList;

    public static bool IsManifest(string mediaType) => mediaType is ImageManifest or DockerManifest;
}
