namespace NodeAgent.Testing.Images;

/// <summary>Turns a spec into its ordered layers: base, the spec's layers, then its loose files.</summary>
internal static class ImageLayers
{
    public static async Task<IReadOnlyList<LayerSpec>> ResolveAsync(ImageSpec spec, CancellationToken cancellationToken)
    {
        var layers = new List<LayerSpec>();
        if (spec.Base == ImageBase.Busybox)
        {
            layers.Add(await BusyboxRootfs.CreateLayerAsync(cancellationToken).ConfigureAwait(false));
        }

        layers.AddRange(spec.Layers);
        if (spec.Files.Count > 0)
        {
            layers.Add(new LayerSpec(spec.Files, "files: " + string.Join(", ", spec.Files.Select(f => "/" + f.Path))));
        }

        if (layers.Count == 0)
        {
            throw new ArgumentException($"Image {spec.Reference} has no layers: give it a base, layers or files.", nameof(spec));
        }

        return layers;
    }
}
