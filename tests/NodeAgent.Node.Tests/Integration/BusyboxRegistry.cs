using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Node.Tests.Integration;

/// <summary>One loopback registry with busybox for the node integration tests; each test still gets its own runtime.</summary>
public sealed class BusyboxRegistry : IAsyncLifetime
{
    public const string Collection = "node-runtime";

    public RegistryFixture Registry { get; } = new();

    public string Image => Registry.Reference("nodeagent-test/busybox", "latest");

    public async Task InitializeAsync()
    {
        using var deadline = TestDeadline.Seconds(120);
        await Registry.StartAsync(deadline.Token);
        await Registry.PushImageAsync(TestImages.Busybox(), "nodeagent-test/busybox:latest", deadline.Token);
    }

    public async Task DisposeAsync() => await Registry.DisposeAsync();
}

[CollectionDefinition(BusyboxRegistry.Collection)]
public sealed class NodeRuntimeCollection : ICollectionFixture<BusyboxRegistry>;
