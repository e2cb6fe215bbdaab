using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Cri;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Cri.Tests.Containerd;

/// <summary>The harness itself: a containerd torn down mid-flight leaves nothing on the host.</summary>
[Collection(ContainerdCollection.Name)]
public sealed class ContainerdCleanupTests(ContainerdFixture fixture)
{
    [Fact]
    public async Task Disposing_an_instance_with_a_running_pod_leaves_no_leaks()
    {
        using var cts = TestDeadline.Seconds(120);
        var ct = cts.Token;
        string prefix;
        string sandboxId;
        await using (var instance = await fixture.StartInstanceAsync(ct))
        {
            prefix = instance.Settings.Prefix;
            var podConfig = CriTestPods.Sandbox("abandoned", Path.Combine(instance.Settings.BaseDirectory, "logs"), instance.Settings.CgroupParent);
            var sandbox = await instance.Client.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = podConfig }, cancellationToken: ct);
            sandboxId = sandbox.PodSandboxId;
            await instance.Client.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = fixture.BusyboxReference } }, cancellationToken: ct);
            var container = await instance.Client.Runtime.CreateContainerAsync(
                CriTestPods.Container(sandboxId, podConfig, "sleeper", fixture.BusyboxReference, "/bin/sleep", "300"), cancellationToken: ct);
            await instance.Client.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = container.ContainerId }, cancellationToken: ct);

            // Proof the pod really holds host resources before teardown: its netns pin and bridge exist.
            var before = await LeakCheck.FindAsync(prefix, ct);
            Assert.Contains(before.NetworkInterfaces, i => i == instance.Settings.BridgeName);
            Assert.NotEmpty(before.Mounts);
            Assert.NotEmpty(before.Processes);
        }

        await LeakCheck.AssertCleanAsync(prefix, ct);
        await LeakCheck.AssertCleanAsync(sandboxId, ct);
    }

    [Fact]
    public async Task Unreachable_upstream_is_never_contacted_for_an_unknown_image()
    {
        using var cts = TestDeadline.Seconds(60);

        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await fixture.Containerd.Client.Images.PullImageAsync(
            new PullImageRequest { Image = new ImageSpec { Image = "registry.k8s.io/nodeagent-test/not-mirrored:1.0" } },
            cancellationToken: cts.Token));

        // Our registry was asked and answered "not found"; had containerd gone upstream it would
        // have failed on DNS or a dial error instead.
        Assert.Equal(Grpc.Core.StatusCode.NotFound, error.StatusCode);
        Assert.DoesNotContain("dial tcp", error.Status.Detail, StringComparison.Ordinal);
        var registryLog = await File.ReadAllTextAsync(fixture.Registry.LogFile, cts.Token);
        Assert.Contains("/v2/nodeagent-test/not-mirrored/manifests/1.0", registryLog, StringComparison.Ordinal);
    }
}
