using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;
using Xunit;

namespace NodeAgent.Testing.Containerd;

/// <summary>
/// A shared xunit fixture: a test registry holding busybox (also as docker.io/library/busybox,
/// served through the mirror) and a pause image built from catatonit, plus a private containerd
/// using them. Tests that want their own instance call <see cref="StartInstanceAsync"/>.
/// </summary>
public sealed class ContainerdFixture : IAsyncLifetime
{
    public const string CatatonitBinary = "/usr/bin/catatonit";

    private ContainerdInstance? _containerd;

    public RegistryFixture Registry { get; } = new();

    public ContainerdInstance Containerd => _containerd ?? throw new InvalidOperationException("The fixture is not initialized.");

    public BuiltImage Busybox { get; private set; } = null!;

    public BuiltImage Pause { get; private set; } = null!;

    public string BusyboxReference => Registry.Reference("nodeagent-test/busybox", "latest");

    public string PauseReference => Registry.Reference("nodeagent-test/pause", "catatonit");

    /// <summary>The pod sandbox image: catatonit in pause mode, the only file in the image.</summary>
    public static ImageSpec PauseImage() =>
        ImageSpec.FromStaticBinary("nodeagent-test/pause", "catatonit", CatatonitBinary, "catatonit", "/catatonit", ["-P"]);

    public async Task InitializeAsync()
    {
        using var cts = TestDeadline.Seconds(120);
        await Registry.StartAsync(cts.Token);
        Busybox = await Registry.PushImageAsync(ImageSpec.Busybox(), "nodeagent-test/busybox:latest", cts.Token);
        await Registry.PushImageAsync(ImageSpec.Busybox(), "library/busybox:latest", cts.Token);
        Pause = await Registry.PushImageAsync(PauseImage(), "nodeagent-test/pause:catatonit", cts.Token);
        _containerd = await StartInstanceAsync(cts.Token);
    }

    /// <summary>A new private containerd wired to this fixture's registry; the caller disposes it.</summary>
    public Task<ContainerdInstance> StartInstanceAsync(CancellationToken cancellationToken)
    {
        var prefix = TestIds.NewPrefix();
        var settings = new ContainerdSettings
        {
            Prefix = prefix,
            BaseDirectory = Directory.CreateTempSubdirectory(prefix + "-containerd-").FullName,
            RegistryHost = Registry.Host,
            SandboxImage = PauseReference,
            PodSubnet = TestIds.NewSubnet24(),
        };
        return ContainerdInstance.StartAsync(settings, cancellationToken);
    }

    public async Task DisposeAsync()
    {
        if (_containerd is not null)
        {
            await _containerd.DisposeAsync();
        }

        await Registry.DisposeAsync();
    }
}
