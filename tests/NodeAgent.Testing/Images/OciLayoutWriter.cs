namespace NodeAgent.Testing.Images;

/// <summary>
/// Builds images into an OCI image layout directory (oci-layout, index.json, blobs/sha256/…),
/// the form skopeo (<c>oci:DIR:TAG</c>) and umoci (<c>DIR:TAG</c>) read. Several images can share
/// one layout; each is tagged in index.json by its ref name. Not thread-safe.
/// </summary>
public sealed class OciLayoutWriter
{
    private const string LayoutFile = "{\"imageLayoutVersion\":\"1.0.0\"}";

    public OciLayoutWriter(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string IndexPath => Path.Combine(Directory, "index.json");

    public string BlobPath(string digest) => Path.Combine(Directory, "blobs", "sha256", Digests.Hex(digest));

    /// <summary>Builds <paramref name="spec"/> and tags it <c>spec.Tag</c> in index.json.</summary>
    public async Task<BuiltImage> AddImageAsync(ImageSpec spec, CancellationToken cancellationToken)
    {
        var image = await WriteImageAsync(spec, cancellationToken).ConfigureAwait(false);
        await TagAsync(image.Manifest with { Platform = null }, spec.Tag, cancellationToken).ConfigureAwait(false);
        return image;
    }

    /// <summary>Builds one image per spec (each with its own platform) and tags an image index over them.</summary>
    public async Task<BuiltIndex> AddIndexAsync(string tag, IReadOnlyList<ImageSpec> platformImages, CancellationToken cancellationToken)
    {
        var images = new List<BuiltImage>();
        foreach (var spec in platformImages)
        {
            images.Add(await WriteImageAsync(spec, cancellationToken).ConfigureAwait(false));
        }

        var index = new OciIndex(2, OciMediaTypes.ImageIndex, [.. images.Select(i => i.Manifest)]);
        var descriptor = await WriteBlobAsync(OciMediaTypes.ImageIndex, OciJson.Serialize(index), null, cancellationToken).ConfigureAwait(false);
        await TagAsync(descriptor, tag, cancellationToken).ConfigureAwait(false);
        return new BuiltIndex(tag, descriptor, images);
    }

    /// <summary>Reads index.json (empty when nothing was written yet).</summary>
    public async Task<OciIndex> ReadIndexAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(IndexPath))
        {
            return new OciIndex(2, OciMediaTypes.ImageIndex, []);
        }

        return OciJson.Deserialize<OciIndex>(await File.ReadAllBytesAsync(IndexPath, cancellationToken).ConfigureAwait(false));
    }

    private async Task<BuiltImage> WriteImageAsync(ImageSpec spec, CancellationToken cancellationToken)
    {
        var layers = new List<LayerBlob>();
        foreach (var layer in await ImageLayers.ResolveAsync(spec, cancellationToken).ConfigureAwait(false))
        {
            layers.Add(await LayerArchive.CreateAsync(layer, spec.Created, cancellationToken).ConfigureAwait(false));
        }

        var built = new List<BuiltLayer>();
        foreach (var layer in layers)
        {
            var descriptor = await WriteBlobAsync(OciMediaTypes.LayerGzip, layer.Compressed, null, cancellationToken).ConfigureAwait(false);
            built.Add(new BuiltLayer(descriptor, layer.DiffId));
        }

        var configJson = OciJson.Serialize(ImageConfigFactory.Create(spec, layers));
        var config = await WriteBlobAsync(OciMediaTypes.ImageConfig, configJson, null, cancellationToken).ConfigureAwait(false);
        var manifestJson = OciJson.Serialize(new OciManifest(2, OciMediaTypes.ImageManifest, config, [.. built.Select(l => l.Descriptor)]));
        var manifest = await WriteBlobAsync(OciMediaTypes.ImageManifest, manifestJson, spec.Platform, cancellationToken).ConfigureAwait(false);
        return new BuiltImage(spec, manifest, config, built);
    }

    private async Task<OciDescriptor> WriteBlobAsync(
        string mediaType, ReadOnlyMemory<byte> content, ImagePlatform? platform, CancellationToken cancellationToken)
    {
        await EnsureLayoutAsync(cancellationToken).ConfigureAwait(false);
        var descriptor = OciDescriptor.For(mediaType, content.Span, platform);
        var path = BlobPath(descriptor.Digest);
        if (!File.Exists(path))
        {
            // Content-addressed: an existing file already holds exactly these bytes.
            await File.WriteAllBytesAsync(path, content, cancellationToken).ConfigureAwait(false);
        }

        return descriptor;
    }

    private async Task TagAsync(OciDescriptor descriptor, string tag, CancellationToken cancellationToken)
    {
        var index = await ReadIndexAsync(cancellationToken).ConfigureAwait(false);
        var tagged = descriptor with { Annotations = new Dictionary<string, string> { [OciMediaTypes.RefNameAnnotation] = tag } };
        var manifests = index.Manifests.Where(m => m.RefName != tag).Append(tagged).ToList();
        await File.WriteAllBytesAsync(IndexPath, OciJson.Serialize(index with { Manifests = manifests }), cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureLayoutAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "blobs", "sha256"));
        var layoutPath = Path.Combine(Directory, "oci-layout");
        if (!File.Exists(layoutPath))
        {
            await File.WriteAllTextAsync(layoutPath, LayoutFile, cancellationToken).ConfigureAwait(false);
        }
    }
}
