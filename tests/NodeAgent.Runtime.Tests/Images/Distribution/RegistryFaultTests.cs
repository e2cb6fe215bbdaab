using System.Diagnostics;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Faults;

namespace NodeAgent.Runtime.Tests.Images.Distribution;

/// <summary>Transient faults are retried and succeed; persistent ones fail cleanly and quickly (test options: 4 tries, ≤ 200 ms backoff, 2 s per try).</summary>
[Collection(DistributionRegistryCollection.Name)]
public sealed class RegistryFaultTests(DistributionRegistry registry)
{
    [Fact]
    public async Task Service_unavailable_a_few_times_is_retried()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        var rule = proxy.Add(new FaultRule(FaultKind.ServiceUnavailable, FaultRule.Manifests) { Times = 2 });
        using var client = TestRegistryClients.Create(proxy.Host);

        var manifest = await client.GetManifestAsync(Busybox(proxy), null, cts.Token);

        Assert.Equal(registry.Busybox.ManifestDigest, manifest.Digest);
        Assert.Equal(2, rule.Applied);
        Assert.Equal(3, proxy.Requests.Count);
    }

    [Fact]
    public async Task Persistent_service_unavailable_fails_after_the_bounded_tries()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.Add(new FaultRule(FaultKind.ServiceUnavailable, FaultRule.Any));
        using var client = TestRegistryClients.Create(proxy.Host);
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Busybox(proxy), null, cts.Token));

        Assert.Equal(RuntimeErrorKind.Unavailable, e.Kind);
        Assert.Equal(
            $"registry http://{proxy.Host} unavailable: {Busybox(proxy)} failed 4 times, last: 503 Service Unavailable",
            e.Message);
        Assert.Equal(4, proxy.Requests.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Too_many_requests_is_retried()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.Add(new FaultRule(FaultKind.TooManyRequests, FaultRule.Blobs) { Times = 1 });
        using var client = TestRegistryClients.Create(proxy.Host);
        var config = registry.Busybox.Config;

        await using var stream = await client.OpenBlobAsync(Busybox(proxy), config.Digest, 0, null, cts.Token);

        Assert.Equal(config.Digest, Digests.Sha256(await RegistryClientTests.ReadAllAsync(stream, cts.Token)));
        Assert.Equal(2, proxy.Requests.Count);
    }

    [Fact]
    public async Task A_refused_connection_fails_quickly_as_unavailable()
    {
        using var cts = TestDeadline.Seconds(60);
        var closed = $"127.0.0.1:{FreePort.Next()}";
        using var client = TestRegistryClients.Create(closed);
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<RegistryException>(
            () => client.GetManifestAsync(ImageReference.Parse($"{closed}/a/b:c"), null, cts.Token));

        Assert.Equal(RuntimeErrorKind.Unavailable, e.Kind);
        Assert.StartsWith($"registry http://{closed} unavailable: {closed}/a/b:c failed 4 times, last: ConnectionError", e.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_slow_response_times_out_and_the_retry_succeeds()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.Add(new FaultRule(FaultKind.DelayResponse, FaultRule.Manifests) { Times = 1, Delay = TimeSpan.FromSeconds(30) });
        using var client = TestRegistryClients.Create(proxy.Host);
        var watch = Stopwatch.StartNew();

        var manifest = await client.GetManifestAsync(Busybox(proxy), null, cts.Token);

        Assert.Equal(registry.Busybox.ManifestDigest, manifest.Digest);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_registry_that_stays_slow_fails_with_a_timeout()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.Add(new FaultRule(FaultKind.DelayResponse, FaultRule.Any) { Delay = TimeSpan.FromSeconds(30) });
        using var client = TestRegistryClients.Create(TestRegistryClients.FastOptions(proxy.Host) with
        {
            RequestTimeout = TimeSpan.FromMilliseconds(500),
        });
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Busybox(proxy), null, cts.Token));

        Assert.Equal(RuntimeErrorKind.Unavailable, e.Kind);
        Assert.EndsWith("failed 4 times, last: no response within 0.5 s", e.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_connection_reset_mid_blob_surfaces_as_IOException_and_the_blob_resumes_from_there()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        var layer = registry.Busybox.Layers[0].Descriptor;
        proxy.Add(new FaultRule(FaultKind.ResetAfterBytes, FaultRule.Blobs) { Times = 1, Bytes = layer.Size / 2 });
        using var client = TestRegistryClients.Create(proxy.Host);
        var received = new MemoryStream();

        await using (var broken = await client.OpenBlobAsync(Busybox(proxy), layer.Digest, 0, null, cts.Token))
        {
            await Assert.ThrowsAnyAsync<IOException>(() => broken.CopyToAsync(received, cts.Token));
        }

        // An RST may drop bytes still in flight, so resume from what actually arrived.
        Assert.InRange(received.Length, 1, layer.Size / 2);
        var resumeAt = received.Length;
        await using (var rest = await client.OpenBlobAsync(Busybox(proxy), layer.Digest, received.Length, null, cts.Token))
        {
            await rest.CopyToAsync(received, cts.Token);
        }

        Assert.Equal(layer.Digest, Digests.Sha256(received.ToArray()));
        Assert.Equal($"bytes={resumeAt}-", proxy.Requests[^1].Header("Range"));
    }

    [Fact]
    public async Task A_server_that_ignores_range_still_yields_the_tail()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.Add(new FaultRule(FaultKind.IgnoreRange, FaultRule.Blobs));
        using var client = TestRegistryClients.Create(proxy.Host);
        var layer = registry.Busybox.Layers[0].Descriptor;
        await using var whole = await client.OpenBlobAsync(Busybox(proxy), layer.Digest, 0, null, cts.Token);
        var all = await RegistryClientTests.ReadAllAsync(whole, cts.Token);
        var offset = all.Length - 1000;

        await using var tail = await client.OpenBlobAsync(Busybox(proxy), layer.Digest, offset, null, cts.Token);

        Assert.Equal(all[offset..], await RegistryClientTests.ReadAllAsync(tail, cts.Token));
        Assert.NotNull(proxy.Requests[^1].Header("Range"));
    }

    [Fact]
    public async Task A_stalled_blob_body_fails_the_read_instead_of_hanging()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        var layer = registry.Busybox.Layers[0].Descriptor;
        proxy.Add(new FaultRule(FaultKind.StallAfterBytes, FaultRule.Blobs) { Bytes = 1000, Delay = TimeSpan.FromSeconds(30) });
        using var client = TestRegistryClients.Create(TestRegistryClients.FastOptions(proxy.Host) with { ReadIdleTimeout = TimeSpan.FromMilliseconds(500) });

        await using var stream = await client.OpenBlobAsync(Busybox(proxy), layer.Digest, 0, null, cts.Token);
        var e = await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(Stream.Null, cts.Token));

        Assert.Equal($"blob {layer.Digest} of {Busybox(proxy).Name} from http://{proxy.Host}: no data for 0.5 s", e.Message);
    }

    [Fact]
    public async Task A_corrupted_manifest_fetched_by_digest_fails_at_once()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.Add(new FaultRule(FaultKind.CorruptByte, FaultRule.Manifests) { Bytes = 10 });
        using var client = TestRegistryClients.Create(proxy.Host);
        var reference = Busybox(proxy) with { Tag = null, Digest = registry.Busybox.ManifestDigest };

        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(reference, null, cts.Token));

        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
        Assert.StartsWith(
            $"manifest {reference} from http://{proxy.Host}: digest mismatch: expected {registry.Busybox.ManifestDigest}, got sha256:",
            e.Message,
            StringComparison.Ordinal);
        Assert.Single(proxy.Requests);
    }

    [Fact]
    public async Task A_corrupted_manifest_fetched_by_tag_is_caught_by_the_registry_digest()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.Add(new FaultRule(FaultKind.CorruptByte, FaultRule.Manifests) { Bytes = 10 });
        using var client = TestRegistryClients.Create(proxy.Host);

        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Busybox(proxy), null, cts.Token));

        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
        Assert.Contains($"digest mismatch: expected {registry.Busybox.ManifestDigest}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupted_blob_no_longer_hashes_to_its_digest()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.Add(new FaultRule(FaultKind.CorruptByte, FaultRule.Blobs) { Bytes = 100 });
        using var client = TestRegistryClients.Create(proxy.Host);
        var layer = registry.Busybox.Layers[0].Descriptor;

        await using var stream = await client.OpenBlobAsync(Busybox(proxy), layer.Digest, 0, null, cts.Token);
        var bytes = await RegistryClientTests.ReadAllAsync(stream, cts.Token);

        // The stream is raw bytes by contract: the caller (content store) verifies and rejects them.
        Assert.Equal(layer.Size, bytes.Length);
        Assert.NotEqual(layer.Digest, Digests.Sha256(bytes));
    }

    [Fact]
    public async Task Blob_redirects_are_followed()
    {
        using var cts = TestDeadline.Seconds(60);
        await using var proxy = FaultProxy.Start(registry.Host);
        proxy.Add(new FaultRule(FaultKind.RedirectToUpstream, FaultRule.Blobs));
        using var client = TestRegistryClients.Create(proxy.Host);
        var config = registry.Busybox.Config;

        await using var stream = await client.OpenBlobAsync(Busybox(proxy), config.Digest, 0, null, cts.Token);

        Assert.Equal(config.Digest, Digests.Sha256(await RegistryClientTests.ReadAllAsync(stream, cts.Token)));
    }

    private static ImageReference Busybox(FaultProxy proxy) => ImageReference.Parse($"{proxy.Host}/{DistributionRegistry.BusyboxRepository}:latest");
}
