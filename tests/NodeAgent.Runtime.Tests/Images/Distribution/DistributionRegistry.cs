using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

/// <summary>One anonymous docker-registry with the standard test images pushed once, shared by the distribution tests.</summary>
public sealed class DistributionRegistry : IAsyncLifetime
{
    public const string BusyboxRepository = "nodeagent-test/busybox";
    public const string MultiLayerRepository = "nodeagent-test/multilayer";
    public const string MultiPlatformRepository = "nodeagent-test/multiplatform";

    private RegistryFixture? _registry;

    public RegistryFixture Registry => _registry ?? throw new InvalidOperationException("not started");

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Host => Registry.Host;

    public BuiltImage Busybox { get; private set; } = null!;

    public BuiltImage MultiLayer { get; private set; } = null!;

    public BuiltIndex MultiPlatform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = TestDeadline.Seconds(120);
        _registry = await RegistryFixture.StartNewAsync(RegistryOptions.Anonymous, cts.Token);
        Busybox = await _registry.PushImageAsync(TestImages.Busybox(), $"{BusyboxRepository}:latest", cts.Token);
        MultiLayer = await _registry.PushImageAsync(TestImages.MultiLayer(), $"{MultiLayerRepository}:latest", cts.Token);
        MultiPlatform = await _registry.PushIndexAsync(TestImages.MultiPlatform(), $"{MultiPlatformRepository}:latest", cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DistributionRegistryCollection : ICollectionFixture<DistributionRegistry>
{
    public const string Name = "distribution registry";
}
