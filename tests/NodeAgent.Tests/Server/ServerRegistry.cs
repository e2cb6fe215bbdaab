using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Tests.Server;

/// <summary>One loopback registry with the harness-built busybox for the server's pod tests.</summary>
public sealed class ServerRegistry : IAsyncLifetime
{
    public const string Collection = "server-node";

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

[CollectionDefinition(ServerRegistry.Collection)]
public sealed class ServerNodeCollection : ICollectionFixture<ServerRegistry>;
