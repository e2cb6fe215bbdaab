using System.Text.Json;
using Grpc.Core;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;

using ImageSpec = NodeAgent.Cri.V1.ImageSpec;

namespace NodeAgent.Runtime.Tests.Images.Conformance;

/// <summary>
/// One image-scenario suite, run against every CRI runtime we support (ours and containerd)
/// through our CRI client: whatever passes here behaves like containerd for any CRI caller.
/// </summary>
public abstract class ImageServiceScenarios(IImageRuntimeTarget target)
{
    private ImageService.ImageServiceClient Images => target.Client.Images;

    private ScenarioImages Scenario => target.Images;

    [Fact]
    public async Task Single_layer_pull_is_listed_with_tag_digest_and_size()
    {
        using var cts = TestDeadline.Seconds(60);

        var pulled = await PullAsync(Scenario.BusyboxRef, cts.Token);
        var status = await StatusAsync(Scenario.BusyboxRef, cts.Token);
        var list = await Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: cts.Token);

        Assert.Equal(Scenario.Busybox.Config.Digest, pulled);
        Assert.NotNull(status.Image);
        Assert.Equal(pulled, status.Image.Id);
        Assert.Contains(Scenario.BusyboxRef, status.Image.RepoTags);
        Assert.Contains($"{Scenario.Registry}/nodeagent-test/scenario-busybox@{Scenario.Busybox.ManifestDigest}", status.Image.RepoDigests);
        Assert.True(status.Image.Size >= (ulong)Scenario.Busybox.Layers.Sum(l => l.Descriptor.Size), $"size {status.Image.Size} is below the layers' size");
        Assert.Contains(list.Images, i => i.Id == pulled);
    }

    [Fact]
    public async Task Multi_layer_pull_reports_every_layer_config()
    {
        using var cts = TestDeadline.Seconds(60);

        var pulled = await PullAsync(Scenario.MultiLayerRef, cts.Token);
        var status = await Images.ImageStatusAsync(new ImageStatusRequest { Image = Spec(Scenario.MultiLayerRef), Verbose = true }, cancellationToken: cts.Token);

        Assert.Equal(Scenario.MultiLayer.Config.Digest, pulled);
        using var info = JsonDocument.Parse(status.Info["info"]);
        var diffIds = info.RootElement.GetProperty("imageSpec").GetProperty("rootfs").GetProperty("diff_ids");
        Assert.Equal(Scenario.MultiLayer.Layers.Select(l => l.DiffId), diffIds.EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task Multi_platform_index_resolves_to_the_amd64_image()
    {
        using var cts = TestDeadline.Seconds(60);

        var pulled = await PullAsync(Scenario.MultiPlatformRef, cts.Token);
        var status = await Images.ImageStatusAsync(new ImageStatusRequest { Image = Spec(Scenario.MultiPlatformRef), Verbose = true }, cancellationToken: cts.Token);

        var amd64 = Scenario.MultiPlatform.Images.Single(i => i.Spec.Platform.Architecture == "amd64");
        Assert.Equal(amd64.Config.Digest, pulled);
        using var info = JsonDocument.Parse(status.Info["info"]);
        var spec = info.RootElement.GetProperty("imageSpec");
        Assert.Equal("amd64", spec.GetProperty("architecture").GetString());
        Assert.Equal("linux/amd64", spec.GetProperty("config").GetProperty("Labels").GetProperty(TestImages.PlatformLabel).GetString());
        // Pulled by tag of an index: the repo digest names the index, as docker and containerd do.
        Assert.Contains($"{Scenario.Registry}/nodeagent-test/multiplatform@{Scenario.MultiPlatform.IndexDigest}", status.Image.RepoDigests);
    }

    [Fact]
    public async Task Pull_by_digest_is_found_by_that_digest()
    {
        using var cts = TestDeadline.Seconds(60);
        var byDigest = $"{Scenario.Registry}/nodeagent-test/sibling@{Scenario.Sibling.ManifestDigest}";

        var pulled = await PullAsync(byDigest, cts.Token);
        var status = await StatusAsync(byDigest, cts.Token);

        Assert.Equal(Scenario.Sibling.Config.Digest, pulled);
        Assert.Contains(byDigest, status.Image.RepoDigests);
    }

    [Fact]
    public async Task Mirror_serves_a_registry_k8s_io_reference()
    {
        using var cts = TestDeadline.Seconds(60);

        var pulled = await PullAsync(ScenarioImages.MirroredUpstreamRef, cts.Token);
        var status = await StatusAsync(ScenarioImages.MirroredUpstreamRef, cts.Token);

        Assert.Equal(Scenario.Busybox.Config.Digest, pulled);
        Assert.Contains(ScenarioImages.MirroredUpstreamRef, status.Image.RepoTags);
    }

    [Fact]
    public async Task Basic_auth_pull_works_with_the_right_password_only()
    {
        using var cts = TestDeadline.Seconds(60);
        var credentials = target.AuthRegistry.Credentials!;

        var error = await Assert.ThrowsAsync<RpcException>(() => Images.PullImageAsync(
            new PullImageRequest { Image = Spec(target.AuthImageRef), Auth = new AuthConfig { Username = credentials.Username, Password = "wrong-" + credentials.Password } },
            cancellationToken: cts.Token).ResponseAsync);
        var pulled = await Images.PullImageAsync(
            new PullImageRequest { Image = Spec(target.AuthImageRef), Auth = new AuthConfig { Username = credentials.Username, Password = credentials.Password } },
            cancellationToken: cts.Token);

        Assert.Matches("(?i)unauthorized|authentication failed", error.Status.Detail);
        Assert.StartsWith("sha256:", pulled.ImageRef, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_tag_is_not_found()
    {
        using var cts = TestDeadline.Seconds(60);

        var error = await Assert.ThrowsAsync<RpcException>(() => Images.PullImageAsync(
            new PullImageRequest { Image = Spec($"{Scenario.Registry}/nodeagent-test/scenario-busybox:no-such-tag") },
            cancellationToken: cts.Token).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("not found", error.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Status_of_an_absent_image_is_empty_not_an_error()
    {
        using var cts = TestDeadline.Seconds(30);

        var status = await StatusAsync($"{Scenario.Registry}/nodeagent-test/never-pulled:1", cts.Token);

        Assert.Null(status.Image);
    }

    [Fact]
    public async Task Removing_an_image_keeps_the_image_that_shares_its_layer()
    {
        using var cts = TestDeadline.Seconds(60);
        var ct = cts.Token;
        var sibling = await PullAsync(Scenario.SiblingRef, ct);
        var removable = await PullAsync(Scenario.BusyboxRef, ct);

        await Images.RemoveImageAsync(new RemoveImageRequest { Image = Spec(removable) }, cancellationToken: ct);

        Assert.Null((await StatusAsync(Scenario.BusyboxRef, ct)).Image);
        Assert.Equal(sibling, (await StatusAsync(Scenario.SiblingRef, ct)).Image.Id);
        // The shared base layer must still be usable: pulling again needs no re-download to succeed.
        Assert.Equal(removable, await PullAsync(Scenario.BusyboxRef, ct));
    }

    [Fact]
    public async Task Removing_an_absent_image_succeeds()
    {
        using var cts = TestDeadline.Seconds(30);

        await Images.RemoveImageAsync(new RemoveImageRequest { Image = Spec($"{Scenario.Registry}/nodeagent-test/never-pulled:1") }, cancellationToken: cts.Token);
    }

    [Fact]
    public async Task Filtered_list_returns_only_the_named_image()
    {
        using var cts = TestDeadline.Seconds(60);
        await PullAsync(Scenario.SiblingRef, cts.Token);
        var busybox = await PullAsync(Scenario.BusyboxRef, cts.Token);

        var list = await Images.ListImagesAsync(new ListImagesRequest { Filter = new ImageFilter { Image = Spec(Scenario.BusyboxRef) } }, cancellationToken: cts.Token);

        // containerd 1.6 ignores the filter and lists everything (kubelet never filters); ours filters.
        if (target.FiltersImageList)
        {
            Assert.Equal(busybox, Assert.Single(list.Images).Id);
        }
        else
        {
            Assert.Contains(list.Images, i => i.Id == busybox);
        }
    }

    [Fact]
    public async Task Image_filesystem_usage_counts_real_bytes()
    {
        using var cts = TestDeadline.Seconds(60);
        await PullAsync(Scenario.BusyboxRef, cts.Token);

        var info = await Images.ImageFsInfoAsync(new ImageFsInfoRequest(), cancellationToken: cts.Token);

        var fs = Assert.Single(info.ImageFilesystems);
        Assert.False(string.IsNullOrEmpty(fs.FsId.Mountpoint));
        // containerd refreshes usage on a timer (0 right after a pull); ours measures on each call.
        if (target.MeasuresUsageOnCall)
        {
            Assert.True(fs.UsedBytes.Value > 1_000_000, $"used bytes {fs.UsedBytes.Value} cannot hold an unpacked busybox");
            Assert.True(fs.InodesUsed.Value > 100, $"inodes {fs.InodesUsed.Value} cannot hold busybox's applet links");
        }
    }

    protected async Task<string> PullAsync(string reference, CancellationToken ct)
        => (await Images.PullImageAsync(new PullImageRequest { Image = Spec(reference) }, cancellationToken: ct)).ImageRef;

    protected async Task<ImageStatusResponse> StatusAsync(string reference, CancellationToken ct)
        => await Images.ImageStatusAsync(new ImageStatusRequest { Image = Spec(reference) }, cancellationToken: ct);

    protected static ImageSpec Spec(string reference) => new() { Image = reference };
}
