using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Cri;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Cri.Tests.Containerd;

/// <summary>
/// Our CRI v1 stubs against a real runtime (Debian's containerd): proves the contract is
/// wire-compatible from day one. Every test has its own deadline.
/// </summary>
[Collection(ContainerdCollection.Name)]
public sealed class ContainerdRoundTripTests(ContainerdFixture fixture)
{
    private RuntimeService.RuntimeServiceClient Runtime => fixture.Containerd.Client.Runtime;

    private ImageService.ImageServiceClient Images => fixture.Containerd.Client.Images;

    [Fact]
    public async Task Version_reports_containerd_and_cri_v1()
    {
        using var cts = TestDeadline.Seconds(30);

        var version = await Runtime.VersionAsync(new VersionRequest { Version = "v1" }, cancellationToken: cts.Token);

        Assert.Equal("containerd", version.RuntimeName);
        Assert.Equal("v1", version.RuntimeApiVersion);
        Assert.False(string.IsNullOrEmpty(version.RuntimeVersion));
    }

    [Fact]
    public async Task Status_reports_runtime_and_network_ready()
    {
        using var cts = TestDeadline.Seconds(30);

        var status = await Runtime.StatusAsync(new StatusRequest { Verbose = true }, cancellationToken: cts.Token);

        Assert.Contains(status.Status.Conditions, c => c.Type == "RuntimeReady" && c.Status);
        Assert.Contains(status.Status.Conditions, c => c.Type == "NetworkReady" && c.Status);
        Assert.NotEmpty(status.Info);
    }

    [Fact]
    public async Task Pulled_image_is_listed_with_its_tag_digest_and_size()
    {
        using var cts = TestDeadline.Seconds(60);
        var reference = fixture.BusyboxReference;

        var pulled = await Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = reference } }, cancellationToken: cts.Token);
        var list = await Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: cts.Token);
        var status = await Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = reference }, Verbose = true }, cancellationToken: cts.Token);

        Assert.StartsWith("sha256:", pulled.ImageRef, StringComparison.Ordinal);
        var listed = Assert.Single(list.Images, i => i.Id == pulled.ImageRef);
        Assert.Contains(reference, listed.RepoTags);
        Assert.Equal(pulled.ImageRef, status.Image.Id);
        Assert.Contains(reference, status.Image.RepoTags);
        Assert.Contains(status.Image.RepoDigests, d => d.EndsWith("@" + fixture.Busybox.ManifestDigest, StringComparison.Ordinal));
        Assert.True(status.Image.Size > 500_000, $"busybox image size {status.Image.Size} is implausibly small");
    }

    [Fact]
    public async Task Filtered_list_and_status_of_a_missing_image()
    {
        using var cts = TestDeadline.Seconds(60);
        await Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = fixture.BusyboxReference } }, cancellationToken: cts.Token);

        var filtered = await Images.ListImagesAsync(
            new ListImagesRequest { Filter = new ImageFilter { Image = new ImageSpec { Image = fixture.BusyboxReference } } },
            cancellationToken: cts.Token);
        var missing = await Images.ImageStatusAsync(
            new ImageStatusRequest { Image = new ImageSpec { Image = fixture.Registry.Reference("nodeagent-test/absent", "nope") } },
            cancellationToken: cts.Token);

        Assert.Single(filtered.Images);
        Assert.Null(missing.Image);
    }

    [Fact]
    public async Task Docker_hub_reference_is_served_by_the_local_mirror_only()
    {
        using var cts = TestDeadline.Seconds(60);

        var pulled = await Images.PullImageAsync(
            new PullImageRequest { Image = new ImageSpec { Image = "docker.io/library/busybox:latest" } },
            cancellationToken: cts.Token);

        Assert.Equal(fixture.Busybox.Config.Digest, pulled.ImageRef);
    }

    [Fact]
    public async Task Sandbox_and_container_run_log_exec_stop_and_leave_nothing_behind()
    {
        using var cts = TestDeadline.Seconds(120);
        var ct = cts.Token;
        using var logs = new TempDirectory(fixture.Containerd.Settings.Prefix);
        await Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = fixture.BusyboxReference } }, cancellationToken: ct);
        var podConfig = CriTestPods.Sandbox("roundtrip", logs.Path, fixture.Containerd.Settings.CgroupParent);

        var sandbox = await Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = podConfig }, cancellationToken: ct);
        var sandboxStatus = await Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandbox.PodSandboxId }, cancellationToken: ct);
        Assert.Equal(PodSandboxState.SandboxReady, sandboxStatus.Status.State);
        Assert.True(fixture.Containerd.Settings.ContainsPodIp(sandboxStatus.Status.Network.Ip), $"pod IP {sandboxStatus.Status.Network.Ip} outside {fixture.Containerd.Settings.PodSubnet}");

        // busybox sh runs applets in-process: exec the real sleep so the shell is replaced.
        var created = await Runtime.CreateContainerAsync(
            CriTestPods.Container(sandbox.PodSandboxId, podConfig, "main", fixture.BusyboxReference, "/bin/sh", "-c", "echo hello from $(hostname); exec /bin/sleep 300"),
            cancellationToken: ct);
        await Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = created.ContainerId }, cancellationToken: ct);

        var running = await Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = created.ContainerId }, cancellationToken: ct);
        Assert.Equal(ContainerState.ContainerRunning, running.Status.State);
        Assert.Equal(Path.Combine(logs.Path, "main/0.log"), running.Status.LogPath);
        var logLine = await Eventually.UntilAsync(
            async token => File.Exists(running.Status.LogPath) ? (await File.ReadAllLinesAsync(running.Status.LogPath, token)).FirstOrDefault() : null,
            "the container's first log line",
            ct);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hello from roundtrip$", logLine);

        var exec = await Runtime.ExecSyncAsync(
            new ExecSyncRequest { ContainerId = created.ContainerId, Cmd = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3" }, Timeout = 10 },
            cancellationToken: ct);
        Assert.Equal(3, exec.ExitCode);
        Assert.Equal("out\n", exec.Stdout.ToStringUtf8());
        Assert.Equal("err\n", exec.Stderr.ToStringUtf8());

        await Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = created.ContainerId, Timeout = 2 }, cancellationToken: ct);
        var stopped = await Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = created.ContainerId }, cancellationToken: ct);
        Assert.Equal(ContainerState.ContainerExited, stopped.Status.State);
        // The pod shares one PID namespace (CRI's default, POD) whose init is catatonit, so sleep
        // is an ordinary process there and dies of the SIGTERM: 128 + 15.
        Assert.Equal(143, stopped.Status.ExitCode);

        var listed = await Runtime.ListContainersAsync(
            new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = sandbox.PodSandboxId } }, cancellationToken: ct);
        Assert.Equal(created.ContainerId, Assert.Single(listed.Containers).Id);

        await Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = created.ContainerId }, cancellationToken: ct);
        await Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.PodSandboxId }, cancellationToken: ct);
        await Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.PodSandboxId }, cancellationToken: ct);

        var pods = await Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: ct);
        Assert.DoesNotContain(pods.Items, p => p.Id == sandbox.PodSandboxId);
        // containerd names mounts, netns pins, cgroups and shim arguments after these ids.
        await LeakCheck.AssertCleanAsync(sandbox.PodSandboxId, ct);
        await LeakCheck.AssertCleanAsync(created.ContainerId, ct);
    }
}
