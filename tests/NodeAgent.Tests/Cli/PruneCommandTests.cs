using Grpc.Core;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Tests.Server;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Cri;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.NodeAgentCri;
using ImageSpec = NodeAgent.Cri.V1.ImageSpec;

namespace NodeAgent.Tests.Cli;

/// <summary><c>nodeagent prune</c> against a real <c>nodeagent cri</c> with registry-pulled images and real containers.</summary>
[Collection(ServerRegistry.Collection)]
public sealed class PruneCommandTests(ServerRegistry registry)
{
    [Theory]
    [InlineData("--bogus", "nodeagent prune: Unrecognized command or argument '--bogus'")]
    [InlineData("--container-runtime-endpoint=tcp://127.0.0.1:1", "nodeagent prune: invalid container-runtime-endpoint")]
    public async Task Bad_flags_exit_2_with_one_line(string flag, string message)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(["prune", flag]);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.StartsWith(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Dry_run_lists_and_keeps_then_prune_removes_exited_containers_not_ready_sandboxes_and_unused_images()
    {
        using var deadline = TestDeadline.Seconds(180);
        var prefix = TestIds.NewPrefix();
        var directory = new TempDirectory(prefix);
        var sandboxIds = new List<string>();
        var runtime = await NodeAgentCriProcess.StartAsync(
            new NodeAgentCriSettings { Prefix = prefix, BaseDirectory = directory.Path, InsecureRegistries = [registry.Registry.Host] }, deadline.Token);
        try
        {
            var cri = runtime.Client;
            var repository = "nodeagent-test/prune-" + prefix;
            var dangling = await registry.Registry.PushImageAsync(TestImages.Busybox().WithLabel("variant", "dangling"), repository + ":dangling", deadline.Token);
            await registry.Registry.PushImageAsync(TestImages.Busybox().WithLabel("variant", "tagged"), repository + ":tagged", deadline.Token);
            async Task<string> PullAsync(string reference)
                => (await cri.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = reference } }, cancellationToken: deadline.Token)).ImageRef;
            var busyboxId = await PullAsync(registry.Image);
            var danglingId = await PullAsync($"{registry.Registry.Host}/{repository}@{dangling.ManifestDigest}");
            var taggedId = await PullAsync(registry.Registry.Reference(repository, "tagged"));

            var (liveSandbox, liveConfig) = await RunSandboxAsync(cri, prefix, "live", directory, deadline.Token);
            sandboxIds.Add(liveSandbox);
            var running = await StartContainerAsync(cri, liveSandbox, liveConfig, busyboxId, "runs", deadline.Token, "/bin/sleep", "300");
            var exited = await StartContainerAsync(cri, liveSandbox, liveConfig, busyboxId, "exits", deadline.Token, "/bin/true");
            await Eventually.UntilAsync(
                async ct => (await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = exited }, cancellationToken: ct)).Status.State == ContainerState.ContainerExited ? "exited" : null,
                "the short container to exit",
                deadline.Token);
            var (stoppedSandbox, _) = await RunSandboxAsync(cri, prefix, "stopped", directory, deadline.Token);
            sandboxIds.Add(stoppedSandbox);
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = stoppedSandbox }, cancellationToken: deadline.Token);
            var endpoint = "--container-runtime-endpoint=" + runtime.Settings.Endpoint;

            var (dryCode, dryOut, _) = await CliRunner.RunAsync(["prune", "--dry-run", endpoint]);

            Assert.Equal(0, dryCode);
            Assert.StartsWith("TYPE ", dryOut, StringComparison.Ordinal);
            Assert.Contains("container   " + exited[..13], dryOut, StringComparison.Ordinal);
            Assert.Contains("sandbox     " + stoppedSandbox[..13], dryOut, StringComparison.Ordinal);
            Assert.Contains(Short(danglingId), dryOut, StringComparison.Ordinal);
            Assert.DoesNotContain(Short(taggedId), dryOut, StringComparison.Ordinal);
            Assert.DoesNotContain(Short(busyboxId), dryOut, StringComparison.Ordinal);
            Assert.DoesNotContain(running[..13], dryOut, StringComparison.Ordinal);
            Assert.Contains("Would remove 1 containers, 1 sandboxes, 1 images", dryOut, StringComparison.Ordinal);
            Assert.Equal(2, (await cri.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: deadline.Token)).Containers.Count);
            Assert.Equal(2, (await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: deadline.Token)).Items.Count);
            Assert.Equal(3, (await cri.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: deadline.Token)).Images.Count);

            var (code, stdout, _) = await CliRunner.RunAsync(["prune", endpoint]);

            Assert.Equal(0, code);
            Assert.Contains("Removed 1 containers, 1 sandboxes, 1 images", stdout, StringComparison.Ordinal);
            Assert.Equal([running], (await cri.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: deadline.Token)).Containers.Select(c => c.Id));
            Assert.Equal([liveSandbox], (await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: deadline.Token)).Items.Select(s => s.Id));
            var imagesLeft = (await cri.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: deadline.Token)).Images.Select(i => i.Id);
            Assert.Equal(new[] { busyboxId, taggedId }.Order(StringComparer.Ordinal), imagesLeft.Order(StringComparer.Ordinal));
            await LeakCheck.AssertCleanAsync(stoppedSandbox, deadline.Token);

            var (allCode, allOut, _) = await CliRunner.RunAsync(["prune", "--all-images", endpoint]);

            Assert.Equal(0, allCode);
            Assert.Contains("Removed 0 containers, 0 sandboxes, 1 images", allOut, StringComparison.Ordinal);
            Assert.Equal([busyboxId], (await cri.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: deadline.Token)).Images.Select(i => i.Id));
        }
        finally
        {
            using var cleanup = TestDeadline.Seconds(60);
            foreach (var id in sandboxIds)
            {
                try
                {
                    await runtime.Client.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, cancellationToken: cleanup.Token);
                    await runtime.Client.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, cancellationToken: cleanup.Token);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    // Pruned already.
                }
            }

            await runtime.DisposeAsync();
            await HostCleanup.DeleteBridgeAsync(runtime.Settings.BridgeName, cleanup.Token);
            HostCleanup.RemoveCgroups(prefix);
            directory.Dispose();
        }

        await LeakCheck.AssertCleanAsync(prefix, deadline.Token);
    }

    private static string Short(string imageId) => imageId.Replace("sha256:", string.Empty, StringComparison.Ordinal)[..13];

    private static async Task<(string Id, PodSandboxConfig Config)> RunSandboxAsync(CriClient cri, string prefix, string name, TempDirectory directory, CancellationToken ct)
    {
        var config = CriTestPods.Sandbox(name, directory.Combine("logs", name), $"/{prefix}/{name}");
        Directory.CreateDirectory(config.LogDirectory);
        var id = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, cancellationToken: ct)).PodSandboxId;
        return (id, config);
    }

    private static async Task<string> StartContainerAsync(CriClient cri, string sandboxId, PodSandboxConfig sandbox, string image, string name, CancellationToken ct, params string[] command)
    {
        var id = (await cri.Runtime.CreateContainerAsync(CriTestPods.Container(sandboxId, sandbox, name, image, command), cancellationToken: ct)).ContainerId;
        await cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id }, cancellationToken: ct);
        return id;
    }
}
