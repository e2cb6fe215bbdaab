using System.Globalization;

namespace NodeAgent.Testing.Images;

/// <summary>Maps an <see cref="ImageSpec"/> and its built layers to an OCI image config, with every map sorted.</summary>
internal static class ImageConfigFactory
{
    public static OciImageConfig Create(ImageSpec spec, IReadOnlyList<LayerBlob> layers)
    {
        var created = spec.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var container = new OciContainerConfig(
            User: spec.User,
            ExposedPorts: spec.ExposedPorts.Count == 0
                ? null
                : new SortedDictionary<string, OciEmptyObject>(spec.ExposedPorts.ToDictionary(p => p, _ => new OciEmptyObject()), StringComparer.Ordinal),
            Env: spec.Env.Count == 0 ? null : [.. spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}")],
            Entrypoint: spec.Entrypoint,
            Cmd: spec.Cmd,
            WorkingDir: spec.WorkingDir,
            Labels: spec.Labels.Count == 0 ? null : new SortedDictionary<string, string>(spec.Labels.ToDictionary(), StringComparer.Ordinal),
            StopSignal: spec.StopSignal);
        return new OciImageConfig(
            created,
            spec.Platform.Architecture,
            spec.Platform.Os,
            spec.Platform.Variant,
            container,
            new OciRootFs("layers", [.. layers.Select(l => l.DiffId)]),
            [.. layers.Select(l => new OciHistory(created, l.CreatedBy))]);
    }
}
