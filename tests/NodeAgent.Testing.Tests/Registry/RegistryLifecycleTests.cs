using System.Net;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Testing.Tests.Registry;

public sealed class RegistryLifecycleTests
{
    [Fact]
    public async Task Registry_listens_only_on_its_one_loopback_port()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var registry = await RegistryFixture.StartNewAsync(RegistryOptions.Anonymous, cts.Token);

        var listening = await ListeningSockets.OfProcessAsync(registry.ProcessId, cts.Token);

        Assert.Equal(IPEndPoint.Parse(registry.Host), Assert.Single(listening));
    }

    [Fact]
    public async Task Dispose_stops_the_registry_process_and_removes_its_directory()
    {
        using var cts = TestDeadline.Seconds(60);
        var registry = await RegistryFixture.StartNewAsync(RegistryOptions.WithBasicAuth(), cts.Token);
        var pid = registry.ProcessId;
        var root = registry.RootDirectory;
        Assert.True(Directory.Exists($"/proc/{pid}"));
        Assert.True(File.Exists(Path.Combine(root, "htpasswd")));

        await registry.DisposeAsync();

        Assert.False(Directory.Exists($"/proc/{pid}"), $"docker-registry (pid {pid}) still runs after dispose");
        Assert.False(Directory.Exists(root));
        Assert.Throws<InvalidOperationException>(() => registry.Host);
    }

    [Fact]
    public async Task Dispose_of_a_fixture_that_never_started_is_harmless()
    {
        var registry = new RegistryFixture();

        await registry.DisposeAsync();

        Assert.Throws<InvalidOperationException>(() => registry.Host);
    }
}
