using System.Security.Cryptography;
using System.Text.Json;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

[Collection(DistributionRegistryCollection.Name)]
public sealed class RegistryClientTests(DistributionRegistry registry)
{
    [Fact]
    public async Task Fetches_a_manifest_by_tag()
    {
        using var cts = TestDeadline.Seconds(60);
        using var client = TestRegistryClients.Create(registry.Host);

        var manifest = await client.GetManifestAsync(Reference(DistributionRegistry.BusyboxRepository, ":latest"), null, cts.Token);

        Assert.Equal(OciMediaTypes.ImageManifest, manifest.MediaType);
        Assert.Equal(registry.Busybox.ManifestDigest, manifest.Digest);
        Assert.Equal(manifest.Digest, Digests.Sha256(manifest.Content.Span));
        using var json = JsonDocument.Parse(manifest.Content);
        Assert.Equal(registry.Busybox.Config.Digest, json.RootElement.GetProperty("config").GetProperty("digest").GetString());
    }

    [Fact]
    public async Task Fetches_a_manifest_by_digest_and_verifies_it()
    {
        using var cts = TestDeadline.Seconds(60);
        using var client = TestRegistryClients.Create(registry.Host);
        var byTag = await client.GetManifestAsync(Reference(DistributionRegistry.BusyboxRepository, ":latest"), null, cts.Token);

        var byDigest = await client.GetManifestAsync(Reference(DistributionRegistry.BusyboxRepository, "@" + registry.Busybox.ManifestDigest), null, cts.Token);

        Assert.Equal(registry.Busybox.ManifestDigest, byDigest.Digest);
        Assert.Equal(byTag.Content.ToArray(), byDigest.Content.ToArray());
    }

    [Fact]
    public async Task Fetches_an_index_and_each_of_its_manifests()
    {
        using var cts = TestDeadline.Seconds(60);
        using var client = TestRegistryClients.Create(registry.Host);
        var reference = Reference(DistributionRegistry.MultiPlatformRepository, ":latest");

        var index = await client.GetManifestAsync(reference, null, cts.Token);

        Assert.True(OciMediaTypes.IsIndex(index.MediaType));
        Assert.Equal(registry.MultiPlatform.IndexDigest, index.Digest);
        using var json = JsonDocument.Parse(index.Content);
        var entries = json.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m => (Digest: m.GetProperty("digest").GetString()!, Arch: m.GetProperty("platform").GetProperty("architecture").GetString()))
            .ToList();
        Assert.Equal(registry.MultiPlatform.Images.Select(i => i.ManifestDigest), entries.Select(e => e.Digest));
        Assert.Equal(["amd64", "arm64"], entries.Select(e => e.Arch));
        foreach (var (digest, _) in entries)
        {
            var manifest = await client.GetManifestAsync(reference with { Tag = null, Digest = digest }, null, cts.Token);
            Assert.True(OciMediaTypes.IsManifest(manifest.MediaType));
            Assert.Equal(digest, manifest.Digest);
        }
    }

    [Fact]
    public async Task Blobs_hash_to_their_digests()
    {
        using var cts = TestDeadline.Seconds(60);
        using var client = TestRegistryClients.Create(registry.Host);
        var reference = Reference(DistributionRegistry.MultiLayerRepository, ":latest");
        var blobs = registry.MultiLayer.Layers.Select(l => l.Descriptor).Prepend(registry.MultiLayer.Config).ToList();

        foreach (var blob in blobs)
        {
            await using var stream = await client.OpenBlobAsync(reference, blob.Digest, 0, null, cts.Token);
            var bytes = await ReadAllAsync(stream, cts.Token);
            Assert.Equal(blob.Size, bytes.Length);
            Assert.Equal(blob.Digest, Digests.Sha256(bytes));
        }
    }

    [Fact]
    public async Task A_blob_opened_at_an_offset_yields_its_tail()
    {
        using var cts = TestDeadline.Seconds(60);
        using var client = TestRegistryClients.Create(registry.Host);
        var reference = Reference(DistributionRegistry.BusyboxRepository, ":latest");
        var layer = registry.Busybox.Layers[0].Descriptor;
        await using var whole = await client.OpenBlobAsync(reference, layer.Digest, 0, null, cts.Token);
        var all = await ReadAllAsync(whole, cts.Token);
        var offset = all.Length / 3;

        await using var tail = await client.OpenBlobAsync(reference, layer.Digest, offset, null, cts.Token);

        Assert.Equal(all[offset..], await ReadAllAsync(tail, cts.Token));
    }

    [Fact]
    public async Task A_missing_tag_is_not_found_naming_the_registry_asked()
    {
        using var cts = TestDeadline.Seconds(60);
        using var client = TestRegistryClients.Create(registry.Host);
        var reference = Reference(DistributionRegistry.BusyboxRepository, ":no-such-tag");

        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(reference, null, cts.Token));

        Assert.Equal(RuntimeErrorKind.NotFound, e.Kind);
        Assert.Equal(registry.Host, e.Registry);
        Assert.StartsWith($"not found: {reference} (asked http://{registry.Host}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_repository_or_blob_is_not_found()
    {
        using var cts = TestDeadline.Seconds(60);
        using var client = TestRegistryClients.Create(registry.Host);
        var missing = Reference("nodeagent-test/nothing-here", ":latest");
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData("absent"u8));

        var manifest = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(missing, null, cts.Token));
        var blob = await Assert.ThrowsAsync<RegistryException>(
            () => client.OpenBlobAsync(Reference(DistributionRegistry.BusyboxRepository, ":latest"), digest, 0, null, cts.Token));

        Assert.Equal(RuntimeErrorKind.NotFound, manifest.Kind);
        Assert.Equal(RuntimeErrorKind.NotFound, blob.Kind);
        Assert.Contains($"not found: blob {digest}", blob.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_blob_digest_is_refused_before_asking()
    {
        using var cts = TestDeadline.Seconds(60);
        using var client = TestRegistryClients.Create(registry.Host);

        var e = await Assert.ThrowsAsync<RegistryException>(
            () => client.OpenBlobAsync(Reference(DistributionRegistry.BusyboxRepository, ":latest"), "sha256:../../etc", 0, null, cts.Token));

        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
    }

    [Fact]
    public async Task A_registry_not_listed_as_insecure_is_asked_over_https_and_fails_without_retries()
    {
        using var cts = TestDeadline.Seconds(60);
        using var recorder = new RecordingHandler();
        using var client = TestRegistryClients.Create(TestRegistryClients.FastOptions(), handler: recorder);

        var e = await Assert.ThrowsAsync<RegistryException>(
            () => client.GetManifestAsync(Reference(DistributionRegistry.BusyboxRepository, ":latest"), null, cts.Token));

        Assert.Equal(RuntimeErrorKind.Unavailable, e.Kind);
        Assert.Contains("SecureConnectionError", e.Message, StringComparison.Ordinal);
        Assert.Contains($"needs --insecure-registry {registry.Host}", e.Message, StringComparison.Ordinal);
        Assert.Equal($"https://{registry.Host}/v2/{DistributionRegistry.BusyboxRepository}/manifests/latest", Assert.Single(recorder.Requests).ToString());
    }

    private ImageReference Reference(string repository, string suffix) => ImageReference.Parse($"{registry.Host}/{repository}{suffix}");

    internal static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
