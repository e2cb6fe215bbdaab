using NodeAgent.Cri;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.NodeAgentCri;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Runtime.Tests.Images.Conformance;

/// <summary>A real <c>nodeagent cri</c> process with a registries.yaml mirroring registry.k8s.io to the test registry.</summary>
public sealed class NodeAgentImageTarget : IImageRuntimeTarget, IAsyncLifetime
{
    private readonly TempDirectory _directory = new(TestIds.NewPrefix());
    private NodeAgentCriProcess? _runtime;

    public RegistryFixture Registry { get; } = new();

    public RegistryFixture AuthRegistry { get; } = new BasicAuthRegistryFixture();

    public NodeAgentCriProcess Runtime => _runtime ?? throw new InvalidOperationException("not started");

    public CriClient Client => Runtime.Client;

    public ScenarioImages Images { get; private set; } = null!;

    public bool FiltersImageList => true;

    public bool MeasuresUsageOnCall => true;

    public string AuthImageRef => AuthRegistry.Reference("nodeagent-test/private", "1.0");

    public async Task InitializeAsync()
    {
        using var cts = TestDeadline.Seconds(120);
        await Registry.StartAsync(cts.Token);
        await AuthRegistry.StartAsync(cts.Token);
        Images = await ScenarioImages.PushAsync(Registry, cts.Token);
        await AuthRegistry.PushImageAsync(TestImages.Busybox(), "nodeagent-test/private:1.0", cts.Token);
        _runtime = await NodeAgentCriProcess.StartAsync(
            new NodeAgentCriSettings
            {
                Prefix = Path.GetFileName(_directory.Path),
                BaseDirectory = _directory.Path,
                InsecureRegistries = [Registry.Host, AuthRegistry.Host],
                RegistriesYaml = $"""
                    mirrors:
                      registry.k8s.io:
                        endpoint:
                          - "http://{Registry.Host}"
                    """,
            },
            cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }

        await AuthRegistry.DisposeAsync();
        await Registry.DisposeAsync();
        _directory.Dispose();
    }
}
