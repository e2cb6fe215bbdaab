using Microsoft.Extensions.Logging;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Content;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Runtime.Images.Import;
using NodeAgent.Runtime.Images.Pull;
using NodeAgent.Runtime.Images.Store;
using NodeAgent.Runtime.Images.Unpack;
using NodeAgent.Runtime.Snapshots;

namespace NodeAgent.Runtime;

/// <summary>The image half of the runtime, as the CRI server and the CLI use it.</summary>
public sealed record ImageServices(ImageManager Manager, ImageImporter Importer, ISnapshotter Snapshots) : IDisposable
{
    public void Dispose() => Manager.Dispose();
}

/// <summary>The composition root: every part built from the options, every path from the data dir.</summary>
public static class RuntimeComposition
{
    public static async Task<ImageServices> CreateImageServicesAsync(RuntimeOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var paths = options.Paths;
        var time = TimeProvider.System;
        // Leftovers of an import killed halfway; the caller holds the runtime lock, so none is live.
        if (Directory.Exists(paths.ImportScratch))
        {
            Directory.Delete(paths.ImportScratch, recursive: true);
        }

        var content = new FileContentStore(paths.Content);
        var snapshots = new OverlaySnapshotter(paths.Snapshots);
        var unpacker = new LayerUnpacker();
        var metadata = await ImageMetadataStore.OpenAsync(paths.ImageMetadata, cancellationToken);
        var registry = RegistryClientFactory.Create(
            new RegistryClientOptions { InsecureRegistries = options.InsecureRegistries, RegistriesYamlPath = options.RegistryConfig },
            loggerFactory,
            time);
        ImagePuller PullerFor(IRegistryClient source)
            => new(source, content, unpacker, snapshots, metadata, time, loggerFactory.CreateLogger<ImagePuller>());

        var manager = new ImageManager(PullerFor(registry), metadata, content, snapshots, paths, time);
        return new ImageServices(manager, new ImageImporter(PullerFor, paths.ImportScratch), snapshots);
    }
}
