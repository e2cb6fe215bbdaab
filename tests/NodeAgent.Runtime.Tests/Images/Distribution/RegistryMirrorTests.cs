using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

[Collection(DistributionRegistryCollection.Name)]
public sealed class RegistryMirrorTests(DistributionRegistry registry)
{
    [Fact]
    public async Task A_registry_k8s_io_reference_is_served_by_its_mirror_and_nothing_else_is_contacted()
    {
        using var cts = TestDeadline.Seconds(60);
        using var dir = new TempDirectory("registries-yaml");
        var path = dir.Combine("registries.yaml");
        await File.WriteAllTextAsync(path, $"mirrors:\n  registry.k8s.io:\n    endpoint:\n      - \"http://{registry.Host}\"\n", cts.Token);
        using var recorder = new RecordingHandler();
        using var client = RegistryClientFactory.Create(
            TestRegistryClients.FastOptions() with { RegistriesYamlPath = path }, NullLoggerFactory.Instance, TimeProvider.System, recorder);
        var reference = ImageReference.Parse("registry.k8s.io/nodeagent-test/busybox:latest");

        var manifest = await client.GetManifestAsync(reference, null, cts.Token);
        await using (var config = await client.OpenBlobAsync(reference, registry.Busybox.Config.Digest, 0, null, cts.Token))
        {
            Assert.Equal(registry.Busybox.Config.Digest, Digests.Sha256(await RegistryClientTests.ReadAllAsync(config, cts.Token)));
        }

        Assert.Equal(registry.Busybox.ManifestDigest, manifest.Digest);
        Assert.Equal([registry.Host], recorder.Hosts);
    }

    [Fact]
    public async Task Endpoints_are_tried_in_order_past_an_unreachable_one()
    {
        using var cts = TestDeadline.Seconds(60);
        var closed = $"127.0.0.1:{FreePort.Next()}";
        using var recorder = new RecordingHandler();
        using var client = TestRegistryClients.Create(
            TestRegistryClients.FastOptions(),
            RegistriesYaml.Parse($"mirrors:\n  docker.io:\n    endpoint: [\"http://{closed}\", \"http://{registry.Host}\"]\n", "registries.yaml"),
            recorder);

        var manifest = await client.GetManifestAsync(ImageReference.Parse("nodeagent-test/busybox"), null, cts.Token);

        Assert.Equal(registry.Busybox.ManifestDigest, manifest.Digest);
        Assert.Equal([closed, registry.Host], recorder.Requests.Select(u => u.Authority).Distinct());
    }

    [Fact]
    public async Task A_mirror_without_the_image_is_not_found_and_the_upstream_is_never_asked()
    {
        using var cts = TestDeadline.Seconds(60);
        using var recorder = new RecordingHandler();
        using var client = TestRegistryClients.Create(
            TestRegistryClients.FastOptions(),
            RegistriesYaml.Parse($"mirrors:\n  registry.k8s.io:\n    endpoint: [\"http://{registry.Host}\"]\n", "registries.yaml"),
            recorder);
        var reference = ImageReference.Parse("registry.k8s.io/pause:3.9");

        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(reference, null, cts.Token));

        Assert.Equal(RuntimeErrorKind.NotFound, e.Kind);
        Assert.StartsWith($"not found: registry.k8s.io/pause:3.9 (asked http://{registry.Host}", e.Message, StringComparison.Ordinal);
        Assert.Equal([registry.Host], recorder.Hosts);
    }

    [Fact]
    public async Task Rewrites_map_the_repository_for_the_mirror()
    {
        using var cts = TestDeadline.Seconds(60);
        using var recorder = new RecordingHandler();
        using var client = TestRegistryClients.Create(
            TestRegistryClients.FastOptions(),
            RegistriesYaml.Parse(
                $"mirrors:\n  registry.k8s.io:\n    endpoint: [\"http://{registry.Host}\"]\n    rewrite:\n      \"^(.*)$\": \"nodeagent-test/$1\"\n",
                "registries.yaml"),
            recorder);

        var manifest = await client.GetManifestAsync(ImageReference.Parse("registry.k8s.io/multilayer:latest"), null, cts.Token);

        Assert.Equal(registry.MultiLayer.ManifestDigest, manifest.Digest);
        Assert.Equal($"http://{registry.Host}/v2/nodeagent-test/multilayer/manifests/latest", Assert.Single(recorder.Requests).ToString());
    }
}
