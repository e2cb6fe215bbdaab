using NodeAgent.Cri;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Runtime.Tests.Images.Conformance;

/// <summary>Debian's containerd with the same images in reach (its hosts.toml mirrors registry.k8s.io to the test registry).</summary>
public sealed class ContainerdImageTarget : IImageRuntimeTarget, IAsyncLifetime
{
    private readonly ContainerdFixture _containerd = new();

    public RegistryFixture AuthRegistry { get; } = new BasicAuthRegistryFixture();

    public CriClient Client => _containerd.Containerd.Client;

    public ScenarioImages Images { get; private set; } = null!;

    public bool FiltersImageList => false;

    public bool MeasuresUsageOnCall => false;

    public string AuthImageRef => AuthRegistry.Reference("nodeagent-test/private", "1.0");

    public async Task InitializeAsync()
    {
        using var cts = TestDeadline.Seconds(120);
        await _containerd.InitializeAsync();
        await AuthRegistry.StartAsync(cts.Token);
        Images = await ScenarioImages.PushAsync(_containerd.Registry, cts.Token);
        await AuthRegistry.PushImageAsync(TestImages.Busybox(), "nodeagent-test/private:1.0", cts.Token);
        _containerd.Containerd.TrustRegistry(AuthRegistry.Host);
    }

    public async Task DisposeAsync()
    {
        await AuthRegistry.DisposeAsync();
        await _containerd.DisposeAsync();
    }
}
