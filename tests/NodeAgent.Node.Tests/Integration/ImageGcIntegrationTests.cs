using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Images;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using ImageSpec = NodeAgent.Cri.V1.ImageSpec;

namespace NodeAgent.Node.Tests.Integration;

/// <summary>Image GC against a real <c>nodeagent cri</c> and the real image filesystem, with thresholds at 0 % so it always runs.</summary>
[Collection(BusyboxRegistry.Collection)]
public sealed class ImageGcIntegrationTests(BusyboxRegistry registry)
{
    [Fact]
    public async Task Unused_images_past_min_age_are_removed_in_use_ones_stay_and_shortfalls_warn_on_the_node()
    {
        using var deadline = TestDeadline.Seconds(180);
        await using var node = await NodeHarness.StartAsync(registry, deadline.Token);
        var unusedImage = registry.Registry.Reference("nodeagent-test/gc-" + node.Prefix, "1.0");
        await registry.Registry.PushImageAsync(TestImages.MultiLayer(), "nodeagent-test/gc-" + node.Prefix + ":1.0", deadline.Token);
        var pod = node.Pod("inuse", node.Container("app", "/bin/sleep", "300"));
        await node.SyncUntilAsync(pod, s => s.Phase == "Running", "the pod running", deadline.Token);
        var unusedId = (await node.Runtime.Client.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = unusedImage } }, cancellationToken: deadline.Token)).ImageRef;
        var warnings = new ConcurrentQueue<(string Reason, string Message)>();
        var everything = new ImageGcOptions { HighThresholdPercent = 0, LowThresholdPercent = 0, MinAge = TimeSpan.Zero };

        // Too young: nothing may go, so the shortfall is the whole usage.
        await using (var young = new ImageGarbageCollector(node.Runtime.Client, (r, m) => warnings.Enqueue((r, m)), everything with { MinAge = TimeSpan.FromHours(1) }, TimeProvider.System, NullLogger<ImageGarbageCollector>.Instance))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => young.CollectAsync(deadline.Token));
        }

        var (reason, message) = Assert.Single(warnings);
        Assert.Equal("FreeDiskSpaceFailed", reason);
        Assert.Matches("^Failed to garbage collect required amount of images. Attempted to free [1-9][0-9]* bytes, but only found 0 bytes eligible to free.$", message);
        Assert.NotNull((await node.Runtime.Client.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = unusedId } }, cancellationToken: deadline.Token)).Image);

        // Old enough: the unused image goes, the running container's image stays (and cannot cover the rest).
        await using var collector = new ImageGarbageCollector(node.Runtime.Client, (r, m) => warnings.Enqueue((r, m)), everything, TimeProvider.System, NullLogger<ImageGarbageCollector>.Instance);
        await Assert.ThrowsAsync<InvalidOperationException>(() => collector.CollectAsync(deadline.Token));

        var left = (await node.Runtime.Client.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: deadline.Token)).Images;
        var kept = Assert.Single(left);
        Assert.Contains(node.Image, kept.RepoTags);
        Assert.Null((await node.Runtime.Client.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = unusedId } }, cancellationToken: deadline.Token)).Image);

        // Failing twice in a row in its loop raises ImageGCFailed on the node, as kubelet does.
        await using var looping = new ImageGarbageCollector(node.Runtime.Client, (r, m) => warnings.Enqueue((r, m)), everything with { Period = TimeSpan.FromMilliseconds(100) }, TimeProvider.System, NullLogger<ImageGarbageCollector>.Instance);
        looping.Start();
        await Eventually.UntilAsync(_ => Task.FromResult(warnings.Any(w => w.Reason == "ImageGCFailed") ? "seen" : null), "an ImageGCFailed warning", deadline.Token);
    }
}
