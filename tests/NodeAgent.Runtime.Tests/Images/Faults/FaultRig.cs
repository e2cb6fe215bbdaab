using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Faults;
using NodeAgent.Testing.NodeAgentCri;
using NodeAgent.Testing.Registry;

using ImageSpec = NodeAgent.Cri.V1.ImageSpec;

namespace NodeAgent.Runtime.Tests.Images.Faults;

/// <summary>
/// One fault test's private world: a real <c>nodeagent cri</c> on its own data dir whose only
/// registry is a <see cref="FaultProxy"/> in front of the shared registry fixture. Disposal stops
/// the process (by PID), the proxy and removes the directory, also when the test failed.
/// </summary>
public sealed class FaultRig : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly RegistryFixture _registry;

    private FaultRig(TempDirectory directory, RegistryFixture registry, FaultProxy proxy)
    {
        _directory = directory;
        _registry = registry;
        Proxy = proxy;
    }

    public FaultProxy Proxy { get; }

    public NodeAgentCriProcess Runtime { get; private set; } = null!;

    public ImageService.ImageServiceClient Images => Runtime.Client.Images;

    /// <summary>The content store's committed blobs (RuntimePaths.Content).</summary>
    public string BlobDirectory => Path.Combine(Runtime.Settings.DataDir, "images", "content", "blobs", "sha256");

    public string IngestDirectory => Path.Combine(Runtime.Settings.DataDir, "images", "content", "ingest");

    public static async Task<FaultRig> StartAsync(string prefix, RegistryFixture registry, CancellationToken ct)
    {
        var rig = new FaultRig(new TempDirectory(prefix), registry, FaultProxy.Start(registry.Host));
        try
        {
            rig.Runtime = await NodeAgentCriProcess.StartAsync(
                new NodeAgentCriSettings { Prefix = prefix, BaseDirectory = rig._directory.Path, InsecureRegistries = [rig.Proxy.Host] },
                ct);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>The image <paramref name="repository"/>:latest as pulled through the proxy.</summary>
    public string Reference(string repository) => $"{Proxy.Host}/{repository}:latest";

    public Task<PullImageResponse> PullAsync(string reference, CancellationToken ct)
        => Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = reference } }, cancellationToken: ct).ResponseAsync;

    public async Task<Image?> StatusAsync(string reference, CancellationToken ct)
        => (await Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = reference } }, cancellationToken: ct)).Image;

    public async Task<IReadOnlyList<Image>> ListAsync(CancellationToken ct)
        => (await Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: ct)).Images;

    /// <summary>Published layer snapshots (RuntimePaths.Snapshots/layers).</summary>
    public IReadOnlyList<string> SnapshotLayers => Entries(Path.Combine(Runtime.Settings.DataDir, "snapshots", "layers"));

    /// <summary>Staging and trash of the snapshotter: empty once no pull is running.</summary>
    public IReadOnlyList<string> SnapshotStaging => Entries(Path.Combine(Runtime.Settings.DataDir, "snapshots", "tmp"));

    public bool HasBlob(string digest) => File.Exists(Path.Combine(BlobDirectory, digest["sha256:".Length..]));

    /// <summary>Ingests still on disk (partial blobs kept for resuming).</summary>
    public IReadOnlyList<string> Ingests => Entries(IngestDirectory);

    /// <summary>
    /// The store holds exactly <paramref name="expectedIds"/>, and every listed image answers
    /// ImageStatus with the same id and a size: no half image is visible anywhere.
    /// </summary>
    public async Task AssertStoreHoldsAsync(IReadOnlyCollection<string> expectedIds, CancellationToken ct)
    {
        var images = await ListAsync(ct);
        Assert.Equal(expectedIds.Order(StringComparer.Ordinal), images.Select(i => i.Id).Order(StringComparer.Ordinal));
        foreach (var image in images)
        {
            var status = await StatusAsync(image.Id, ct);
            Assert.NotNull(status);
            Assert.Equal(image.Id, status.Id);
            Assert.True(status.Size > 0, $"image {image.Id} reports size {status.Size}");
        }

        var fs = await Images.ImageFsInfoAsync(new ImageFsInfoRequest(), cancellationToken: ct);
        Assert.NotEmpty(fs.ImageFilesystems);
    }

    private static IReadOnlyList<string> Entries(string directory)
        => Directory.Exists(directory) ? [.. Directory.EnumerateFileSystemEntries(directory).Select(e => Path.GetFileName(e))] : [];

    public async ValueTask DisposeAsync()
    {
        if (Runtime is not null)
        {
            await Runtime.DisposeAsync();
        }

        await Proxy.DisposeAsync();
        _directory.Dispose();
    }
}
