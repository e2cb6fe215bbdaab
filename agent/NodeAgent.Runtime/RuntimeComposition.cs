using Microsoft.Extensions.Logging;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Content;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Runtime.Images.Import;
using NodeAgent.Runtime.Images.Pull;
using NodeAgent.Runtime.Images.Store;
using NodeAgent.Runtime.Images.Unpack;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Containers;
using NodeAgent.Runtime.Containers.Stats;
using NodeAgent.Runtime.Network;
using NodeAgent.Runtime.Oci;
using NodeAgent.Runtime.Sandboxes;
using NodeAgent.Runtime.Snapshots;
using NodeAgent.Runtime.State;

namespace NodeAgent.Runtime;

/// <summary>The image half of the runtime, as the CRI server and the CLI use it.</summary>
public sealed record ImageServices(ImageManager Manager, ImageImporter Importer, ISnapshotter Snapshots) : IDisposable
{
    public void Dispose() => Manager.Dispose();
}

/// <summary>The pod half of the runtime: sandboxes, containers, networking, the OCI runtime.</summary>
public sealed record PodServices(SandboxManager Sandboxes, ContainerManager Containers, PodLifecycle Pods, IPodNetwork Network, RuncRuntime Oci, StatsCollector Stats) : IDisposable
{
    public void Dispose() => Oci.Dispose();
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

    /// <summary>Builds the pod services over the image services and adopts what a previous run left (records, running containers).</summary>
    public static async Task<PodServices> CreatePodServicesAsync(RuntimeOptions options, ImageServices images, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(images);
        RuntimePrerequisites.Check(options);
        var paths = options.Paths;
        var time = TimeProvider.System;
        var processes = ProcessRunner.Instance;
        var mounter = new LinuxMounter();
        var oci = new RuncRuntime(OciRuntimeOptions.For(paths) with { RuntimePath = options.OciRuntimePath }, processes);
        try
        {
            var network = new CniPodNetwork(
                new PodNetworkOptions { BridgeName = options.BridgeName, PodCidr = options.PodCidr, StateDirectory = PodNetworkOptions.StateDirectoryFor(options.DataDir), CniBinDirectory = options.CniBinDirectory },
                processes,
                loggerFactory.CreateLogger<CniPodNetwork>(),
                time);
            var sandboxes = new SandboxManager(
                new ObjectIndex<SandboxRecord>(new RecordDirectory<SandboxRecord>(paths.Sandboxes, "sandbox.json", StateJsonContext.Default.SandboxRecord), r => r.Id, "sandbox"),
                network,
                oci,
                new SandboxFilesWriter(mounter),
                new NamespacePins(mounter),
                new SandboxOptions(paths.SandboxRun),
                time,
                loggerFactory.CreateLogger<SandboxManager>());
            var containers = new ContainerManager(
                new ObjectIndex<ContainerRecord>(new RecordDirectory<ContainerRecord>(paths.Containers, "container.json", StateJsonContext.Default.ContainerRecord), r => r.Id, "container"),
                sandboxes,
                images.Manager,
                images.Snapshots,
                mounter,
                oci,
                time,
                loggerFactory.CreateLogger<ContainerManager>());
            await sandboxes.RecoverAsync(cancellationToken);
            await containers.RecoverAsync(cancellationToken);
            var stats = new StatsCollector(CgroupStatsReaders.ForHost(), images.Snapshots, paths.DataDir, time);
            return new PodServices(sandboxes, containers, new PodLifecycle(sandboxes, containers), network, oci, stats);
        }
        catch
        {
            oci.Dispose();
            throw;
        }
    }
}
