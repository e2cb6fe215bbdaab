using System.Security.Cryptography;
using Grpc.Core;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Faults;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Runtime.Tests.Images.Faults;

/// <summary>
/// Faults on the wire, end to end: CRI client → a real <c>nodeagent cri</c> → fault proxy →
/// docker-registry. Whatever breaks, the store never lists a half image and a later pull works.
/// </summary>
public sealed class PullFaultTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task A_connection_reset_mid_blob_is_resumed_and_the_pull_succeeds()
    {
        using var cts = TestDeadline.Seconds(120);
        var ct = cts.Token;
        var prefix = TestIds.NewPrefix();
        var image = await PushAsync($"faults/{prefix}-reset", RandomLayer(1 << 20), ct);
        var layer = image.Layers[1].Descriptor;
        await using (var rig = await FaultRig.StartAsync(prefix, registry, ct))
        {
            var reset = rig.Proxy.Add(new FaultRule(FaultKind.ResetAfterBytes, r => r.Path.EndsWith(layer.Digest, StringComparison.Ordinal)) { Times = 1, Bytes = layer.Size / 2 });

            var pulled = await rig.PullAsync(rig.Reference($"faults/{prefix}-reset"), ct);

            Assert.Equal(image.Config.Digest, pulled.ImageRef);
            Assert.Equal(1, reset.Applied);
            var gets = rig.Proxy.BlobGets(layer.Digest);
            Assert.Equal(2, gets.Count);
            Assert.Null(gets[0].Header("Range"));
            Assert.StartsWith("bytes=", gets[1].Header("Range"), StringComparison.Ordinal);
            await rig.AssertStoreHoldsAsync([image.Config.Digest], ct);
            Assert.Empty(rig.Ingests);
        }

        await LeakCheck.AssertCleanAsync(prefix, ct);
    }

    [Fact]
    public async Task A_connection_reset_on_every_try_fails_cleanly_and_a_later_pull_succeeds()
    {
        using var cts = TestDeadline.Seconds(120);
        var ct = cts.Token;
        var prefix = TestIds.NewPrefix();
        var image = await PushAsync($"faults/{prefix}-resets", RandomLayer(1 << 20), ct);
        var layer = image.Layers[1].Descriptor;
        await using (var rig = await FaultRig.StartAsync(prefix, registry, ct))
        {
            var reference = rig.Reference($"faults/{prefix}-resets");
            var reset = rig.Proxy.Add(new FaultRule(FaultKind.ResetAfterBytes, r => r.Path.EndsWith(layer.Digest, StringComparison.Ordinal)) { Bytes = 64 * 1024 });

            var e = await Assert.ThrowsAsync<RpcException>(() => rig.PullAsync(reference, ct));

            Assert.Equal(StatusCode.Unavailable, e.StatusCode);
            Assert.Contains($"blob {layer.Digest}", e.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("broke off", e.Status.Detail, StringComparison.Ordinal);
            Assert.True(reset.Applied > 1, $"the blob was tried {reset.Applied} time(s)");
            await rig.AssertStoreHoldsAsync([], ct);
            Assert.Null(await rig.StatusAsync(reference, ct));
            Assert.False(rig.HasBlob(layer.Digest));

            rig.Proxy.Remove(reset);
            var pulled = await rig.PullAsync(reference, ct);

            Assert.Equal(image.Config.Digest, pulled.ImageRef);
            await rig.AssertStoreHoldsAsync([image.Config.Digest], ct);
        }

        await LeakCheck.AssertCleanAsync(prefix, ct);
    }

    [Fact]
    public async Task A_corrupted_blob_fails_with_a_digest_error_and_a_later_pull_succeeds()
    {
        using var cts = TestDeadline.Seconds(120);
        var ct = cts.Token;
        var prefix = TestIds.NewPrefix();
        var image = await PushAsync($"faults/{prefix}-corrupt", RandomLayer(1 << 20), ct);
        var layer = image.Layers[1].Descriptor;
        await using (var rig = await FaultRig.StartAsync(prefix, registry, ct))
        {
            var reference = rig.Reference($"faults/{prefix}-corrupt");
            var corrupt = rig.Proxy.Add(new FaultRule(FaultKind.CorruptByte, r => r.Path.EndsWith(layer.Digest, StringComparison.Ordinal)) { Bytes = layer.Size / 3 });

            var e = await Assert.ThrowsAsync<RpcException>(() => rig.PullAsync(reference, ct));

            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains($"blob digest mismatch: expected {layer.Digest}, got sha256:", e.Status.Detail, StringComparison.Ordinal);
            Assert.Contains($"pulling {reference}", e.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(1, corrupt.Applied);
            await rig.AssertStoreHoldsAsync([], ct);
            Assert.False(rig.HasBlob(layer.Digest));
            Assert.Empty(rig.Ingests);
            // The layer was unpacked while it streamed in; its staging dir is dropped, never published. Only busybox's layer is.
            Assert.Single(rig.SnapshotLayers);
            Assert.Empty(rig.SnapshotStaging);

            rig.Proxy.Remove(corrupt);
            var pulled = await rig.PullAsync(reference, ct);

            Assert.Equal(image.Config.Digest, pulled.ImageRef);
            Assert.True(rig.HasBlob(layer.Digest));
            await rig.AssertStoreHoldsAsync([image.Config.Digest], ct);
        }

        await LeakCheck.AssertCleanAsync(prefix, ct);
    }

    [Fact]
    public async Task A_pull_killed_halfway_leaves_no_image_and_the_next_pull_reuses_the_finished_blobs()
    {
        using var cts = TestDeadline.Seconds(180);
        var ct = cts.Token;
        var prefix = TestIds.NewPrefix();
        // Layers: busybox, a big random one (trickled), a small one after it.
        var image = await PushAsync($"faults/{prefix}-killed", RandomLayer(4 << 20), ct, LayerSpec.Of(LayerEntry.TextFile("/small", "small\n")));
        var big = image.Layers[1].Descriptor;
        var finished = new[] { image.Config, image.Layers[0].Descriptor, image.Layers[2].Descriptor };
        await using (var rig = await FaultRig.StartAsync(prefix, registry, ct))
        {
            var reference = rig.Reference($"faults/{prefix}-killed");
            var trickle = rig.Proxy.Add(new FaultRule(FaultKind.Throttle, r => r.Path.EndsWith(big.Digest, StringComparison.Ordinal))
            {
                // A quarter in, with ~6 s of trickle left: ample time to see the small blobs land and kill.
                Times = 1,
                BytesPerSecond = 512 * 1024,
                Bytes = big.Size / 4,
            });
            var firstPull = rig.PullAsync(reference, ct);
            await trickle.Reached.WaitAsync(ct);
            await Eventually.UntilAsync(_ => Task.FromResult(finished.All(d => rig.HasBlob(d.Digest))), "the small blobs to be committed", ct);

            await rig.Runtime.KillAndRestartAsync(ct);

            await Assert.ThrowsAsync<RpcException>(() => firstPull);
            Assert.False(rig.HasBlob(big.Digest));
            await rig.AssertStoreHoldsAsync([], ct);
            Assert.Null(await rig.StatusAsync(reference, ct));

            var pulled = await rig.PullAsync(reference, ct);

            Assert.Equal(image.Config.Digest, pulled.ImageRef);
            await rig.AssertStoreHoldsAsync([image.Config.Digest], ct);
            Assert.Equal(3, rig.SnapshotLayers.Count);
            Assert.Empty(rig.SnapshotStaging);
            Assert.All(finished, d => Assert.Single(rig.Proxy.BlobGets(d.Digest)));
            var bigGets = rig.Proxy.BlobGets(big.Digest);
            Assert.Equal(2, bigGets.Count);
            // The partial ingest survived the kill: the second pull resumes it instead of starting over.
            var resumedAt = long.Parse(bigGets[1].Header("Range")!["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(resumedAt, 1, big.Size - 1);
            Assert.Empty(rig.Ingests);
        }

        await LeakCheck.AssertCleanAsync(prefix, ct);
    }

    private static LayerSpec RandomLayer(int bytes) => LayerSpec.Of(LayerEntry.File("/random.bin", RandomNumberGenerator.GetBytes(bytes)));

    private Task<BuiltImage> PushAsync(string repository, LayerSpec layer, CancellationToken ct, params LayerSpec[] more)
        => registry.PushImageAsync(ImageSpec.Busybox(repository).WithLayers([layer, .. more]), repository + ":latest", ct);
}
