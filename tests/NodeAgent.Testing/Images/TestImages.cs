namespace NodeAgent.Testing.Images;

/// <summary>The standard test images, with the paths and labels tests assert on.</summary>
public static class TestImages
{
    public const string BusyboxTag = "busybox";
    public const string MultiLayerTag = "multilayer";
    public const string MultiPlatformTag = "multiplatform";

    /// <summary>Lower-layer file that stays visible.</summary>
    public const string KeptFile = "/data/keep";

    /// <summary>Lower-layer file the upper layer deletes with a <c>.wh.</c> whiteout.</summary>
    public const string DeletedFile = "/data/gone";

    /// <summary>Directory the upper layer makes opaque.</summary>
    public const string OpaqueDirectory = "/opaque";

    /// <summary>Lower-layer file hidden by the opaque directory.</summary>
    public const string HiddenFile = "/opaque/old";

    /// <summary>The only file the opaque directory shows.</summary>
    public const string UpperFile = "/opaque/new";

    /// <summary>Label and file that tell which platform's image of the index was picked.</summary>
    public const string PlatformLabel = "org.nodeagent.test.platform";

    public const string PlatformFile = "/etc/nodeagent-platform";

    public static ImageSpec Busybox(string tag = BusyboxTag) => ImageSpec.Busybox(tag: tag);

    /// <summary>Busybox plus a lower layer with /data and /opaque, and an upper layer with a whiteout and an opaque dir.</summary>
    public static ImageSpec MultiLayer(string tag = MultiLayerTag) => ImageSpec.Busybox("nodeagent-test/multilayer", tag).WithLayers(
        new LayerSpec(
            [
                LayerEntry.TextFile(KeptFile, "keep\n"),
                LayerEntry.TextFile(DeletedFile, "gone\n"),
                LayerEntry.TextFile(HiddenFile, "old\n"),
            ],
            $"lower: {KeptFile}, {DeletedFile}, {HiddenFile}"),
        new LayerSpec(
            [
                LayerEntry.Whiteout(DeletedFile),
                LayerEntry.OpaqueDirectory(OpaqueDirectory),
                LayerEntry.TextFile(UpperFile, "new\n"),
            ],
            $"upper: whiteout {DeletedFile}, opaque {OpaqueDirectory} with {UpperFile}"));

    /// <summary>
    /// One busybox image per platform (linux/amd64, linux/arm64/v8). The arm64 one reuses the
    /// host's busybox bytes, so only its config, label and <see cref="PlatformFile"/> say arm64.
    /// </summary>
    public static IReadOnlyList<ImageSpec> MultiPlatform(string tag = MultiPlatformTag)
        => [ForPlatform(ImagePlatform.LinuxAmd64, tag), ForPlatform(ImagePlatform.LinuxArm64, tag)];

    /// <summary>Writes the three standard images into one layout, tagged with the *Tag constants.</summary>
    public static async Task<StandardTestImages> WriteAllAsync(string layoutDirectory, CancellationToken cancellationToken)
    {
        var layout = new OciLayoutWriter(layoutDirectory);
        var busybox = await layout.AddImageAsync(Busybox(), cancellationToken).ConfigureAwait(false);
        var multiLayer = await layout.AddImageAsync(MultiLayer(), cancellationToken).ConfigureAwait(false);
        var multiPlatform = await layout.AddIndexAsync(MultiPlatformTag, MultiPlatform(), cancellationToken).ConfigureAwait(false);
        return new StandardTestImages(layout.Directory, busybox, multiLayer, multiPlatform);
    }

    private static ImageSpec ForPlatform(ImagePlatform platform, string tag)
        => (ImageSpec.Busybox("nodeagent-test/multiplatform", tag) with { Platform = platform })
            .WithLabel(PlatformLabel, platform.ToString())
            .WithFiles(LayerEntry.TextFile(PlatformFile, platform + "\n"));
}

/// <summary>The standard images as written by <see cref="TestImages.WriteAllAsync"/>.</summary>
public sealed record StandardTestImages(string LayoutDirectory, BuiltImage Busybox, BuiltImage MultiLayer, BuiltIndex MultiPlatform);
