using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.NodeAgentCri;
using NodeAgent.Testing.Registry;

using ImageSpec = NodeAgent.Cri.V1.ImageSpec;

namespace NodeAgent.Runtime.Tests.Images.Store;

/// <summary>What survives: restarts keep images; concurrent pulls share work; removal keeps what others use.</summary>
public sealed class ImageStoreDurabilityTests
{
    [Fact]
    public async Task Killed_and_restarted_runtime_keeps_every_image()
    {
        using var cts = TestDeadline.Seconds(120);
        var ct = cts.Token;
        await using var registry = await RegistryFixture.StartNewAsync(RegistryOptions.Anonymous, ct);
        await registry.PushImageAsync(TestImages.Busybox(), "nodeagent-test/busybox:latest", ct);
        await registry.PushImageAsync(TestImages.MultiLayer(), "nodeagent-test/multilayer:latest", ct);
        using var directory = new TempDirectory(TestIds.NewPrefix());
        await using var runtime = await NodeAgentCriProcess.StartAsync(
            new NodeAgentCriSettings { Prefix = Path.GetFileName(directory.Path), BaseDirectory = directory.Path, InsecureRegistries = [registry.Host] }, ct);
        foreach (var repository in new[] { "nodeagent-test/busybox", "nodeagent-test/multilayer" })
        {
            await runtime.Client.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = registry.Reference(repository, "latest") } }, cancellationToken: ct);
        }

        var before = await runtime.Client.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: ct);
        await runtime.KillAndRestartAsync(ct);
        var after = await runtime.Client.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: ct);

        Assert.Equal(2, before.Images.Count);
        Assert.Equal(before.Images.OrderBy(i => i.Id), after.Images.OrderBy(i => i.Id));
    }

    [Fact]
    public async Task Concurrent_pulls_of_one_image_fetch_each_blob_once()
    {
        using var cts = TestDeadline.Seconds(90);
        var ct = cts.Token;
        await using var registry = await RegistryFixture.StartNewAsync(RegistryOptions.Anonymous, ct);
        var image = await registry.PushImageAsync(TestImages.MultiLayer(), "nodeagent-test/multilayer:latest", ct);
        using var store = await InProcessImageStore.OpenAsync(TestIds.NewPrefix(), [registry.Host], ct);
        var logBefore = (await File.ReadAllTextAsync(registry.LogFile, ct)).Length;

        var pulls = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => store.PullAsync(registry.Reference("nodeagent-test/multilayer", "latest"), ct)));

        Assert.All(pulls, p => Assert.Equal(image.Config.Digest, p.Id));
        var log = (await File.ReadAllTextAsync(registry.LogFile, ct))[logBefore..];
        foreach (var layer in image.Layers)
        {
            var fetches = log.Split('\n').Count(line => line.Contains("http.request.method=GET", StringComparison.Ordinal)
                && line.Contains("/v2/nodeagent-test/multilayer/blobs/" + layer.Descriptor.Digest, StringComparison.Ordinal));
            Assert.True(fetches == 1, $"{fetches} fetches of {layer.Descriptor.Digest}:\n{log}");
        }
    }

    [Fact]
    public async Task Removing_an_image_keeps_layers_its_sibling_shares_on_disk()
    {
        using var cts = TestDeadline.Seconds(90);
        var ct = cts.Token;
        await using var registry = await RegistryFixture.StartNewAsync(RegistryOptions.Anonymous, ct);
        await registry.PushImageAsync(TestImages.Busybox(), "nodeagent-test/busybox:latest", ct);
        await registry.PushImageAsync(TestImages.MultiLayer(), "nodeagent-test/multilayer:latest", ct);
        using var store = await InProcessImageStore.OpenAsync(TestIds.NewPrefix(), [registry.Host], ct);
        var busybox = await store.PullAsync(registry.Reference("nodeagent-test/busybox", "latest"), ct);
        var multiLayer = await store.PullAsync(registry.Reference("nodeagent-test/multilayer", "latest"), ct);
        var shared = busybox.Layers[0].ChainId;
        Assert.Equal(shared, multiLayer.Layers[0].ChainId);

        await store.Services.Manager.RemoveAsync(registry.Reference("nodeagent-test/multilayer", "latest"), ct);

        Assert.True(store.Services.Snapshots.LayerExists(shared));
        Assert.All(multiLayer.Layers.Skip(1), l => Assert.False(store.Services.Snapshots.LayerExists(l.ChainId)));
        Assert.Null(store.Services.Manager.Find(registry.Reference("nodeagent-test/multilayer", "latest")));
        Assert.NotNull(store.Services.Manager.Find(busybox.Id));
    }

    [Fact]
    public async Task Reopened_store_answers_the_same_names()
    {
        using var cts = TestDeadline.Seconds(90);
        var ct = cts.Token;
        await using var registry = await RegistryFixture.StartNewAsync(RegistryOptions.Anonymous, ct);
        await registry.PushImageAsync(TestImages.Busybox(), "nodeagent-test/busybox:latest", ct);
        using var store = await InProcessImageStore.OpenAsync(TestIds.NewPrefix(), [registry.Host], ct);
        var pulled = await store.PullAsync(registry.Reference("nodeagent-test/busybox", "latest"), ct);
        store.Services.Dispose();

        using var reopened = await store.ReopenAsync(ct);

        Assert.Equal(pulled.Id, reopened.Manager.Find(registry.Reference("nodeagent-test/busybox", "latest"))?.Id);
        Assert.Equal(pulled.RepoTags, reopened.Manager.Find(pulled.Id[7..19])?.RepoTags);
        Assert.True(reopened.Snapshots.LayerExists(pulled.TopChainId));
    }
}
