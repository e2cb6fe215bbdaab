using System.Security.Cryptography;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Faults;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Registry;

namespace NodeAgent.Testing.Tests.Faults;

/// <summary>The fault proxy's throttle in front of a real registry: bytes arrive intact, the signal fires mid-body.</summary>
public sealed class FaultProxyTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task A_throttled_blob_signals_halfway_before_its_end_arrives_and_arrives_intact()
    {
        using var cts = TestDeadline.Seconds(60);
        var ct = cts.Token;
        var payload = RandomNumberGenerator.GetBytes(512 * 1024);
        var image = await registry.PushImageAsync(ImageSpec.FromFiles("faults/throttle", "v1", LayerEntry.File("/blob", payload)), "faults/throttle:v1", ct);
        var layer = image.Layers[0].Descriptor;
        await using var proxy = FaultProxy.Start(registry.Host);
        var rule = proxy.Add(new FaultRule(FaultKind.Throttle, FaultRule.Blobs) { BytesPerSecond = 1 << 20, Bytes = layer.Size / 2 });
        using var http = new HttpClient { BaseAddress = new Uri($"http://{proxy.Host}/") };
        using var response = await http.GetAsync($"v2/faults/throttle/blobs/{layer.Digest}", HttpCompletionOption.ResponseHeadersRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        long atSignal = -1;

        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            received.Write(buffer, 0, read);
            if (atSignal < 0 && rule.Reached.IsCompleted)
            {
                atSignal = received.Length;
            }
        }

        Assert.Equal(layer.Digest, Digests.Sha256(received.ToArray()));
        Assert.Equal(1, rule.Applied);
        // Seen before the last byte arrived: the body was still trickling when the signal fired.
        Assert.InRange(atSignal, 1, layer.Size - 1);
        Assert.Single(proxy.BlobGets(layer.Digest));
    }
}
