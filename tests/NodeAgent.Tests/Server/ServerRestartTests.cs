using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Tests.Server;

/// <summary>
/// <c>nodeagent server</c> killed with SIGKILL (API, runtime and node role at once) and started again on the same
/// data dir: running pods are adopted untouched, finished pods stay finished, nothing is duplicated.
/// </summary>
[Collection(ServerRegistry.Collection)]
public sealed class ServerRestartTests(ServerRegistry registry)
{
    [Fact]
    public async Task A_killed_server_adopts_its_running_pod_and_keeps_a_finished_one_finished()
    {
        using var deadline = TestDeadline.Seconds(300);
        var ct = deadline.Token;
        await ServerScenario.RunAsync(registry, async (first, kubectl) =>
        {
            var (sleeper, done, later) = (first.Prefix + "-sleeper", first.Prefix + "-done", first.Prefix + "-later");
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, ServerPods.Yaml(sleeper, registry.Image, "Always", "{}", "/bin/sleep", "3600") + "---\n" + ServerPods.Yaml(done, registry.Image, "Never", "{}", "/bin/true"))).EnsureSuccess();
            await ServerPods.WaitAsync(kubectl, first, ["--for=condition=Ready", "pod/" + sleeper], ct);
            await ServerPods.WaitAsync(kubectl, first, ["--for=jsonpath={.status.phase}=Succeeded", "pod/" + done], ct);
            var before = await ContainerAsync(kubectl, sleeper, ct);
            var doneUid = await UidAsync(kubectl, done, ct);
            var sleeperUid = await UidAsync(kubectl, sleeper, ct);

            first.Process.Kill();
            await first.Process.WaitForExitAsync(ct);
            File.Delete(first.KubeconfigPath);
            await using (var second = ServerProcess.Launch(reuse: first))
            {
                await second.WaitForKubeconfigAsync(ct);

                // A pod created after the restart runs: the node role has started and synced its pods.
                (await kubectl.RunAsync(["apply", "-f", "-"], ct, ServerPods.Yaml(later, registry.Image, "Always", "{}", "/bin/sleep", "3600"))).EnsureSuccess();
                await ServerPods.WaitAsync(kubectl, second, ["--for=condition=Ready", "pod/" + later], ct);

                var after = await ContainerAsync(kubectl, sleeper, ct);
                Assert.Equal(before.Id, after.Id);
                Assert.Equal(0, after.RestartCount);
                Assert.True(after.Ready);
                using (var finished = await kubectl.GetJsonAsync(["pod", done], ct))
                {
                    Assert.Equal("Succeeded", finished.RootElement.GetProperty("status").GetProperty("phase").GetString());
                }

                using (var cri = CriClientFactory.Connect("unix://" + Path.Combine(second.RunDir, "cri.sock")))
                {
                    Assert.Single(await ContainersOfAsync(cri, sleeperUid, ct));
                    var doneContainers = await ContainersOfAsync(cri, doneUid, ct);
                    Assert.All(doneContainers, c => Assert.Equal(ContainerState.ContainerExited, c.State));
                    Assert.Single(doneContainers);
                }

                var delete = await kubectl.RunAsync(["delete", "pod", sleeper, done, later, "--timeout=90s"], ct);
                Assert.True(delete.Succeeded, $"kubectl delete: {delete.StandardError}\n{await second.ReadLogAsync(ct)}");
                Assert.Equal(0, await second.StopAsync(ct));
            }
        }, ct);
    }

    private static async Task<string> UidAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        using var json = await kubectl.GetJsonAsync(["pod", pod], ct);
        return json.RootElement.GetProperty("metadata").GetProperty("uid").GetString()!;
    }

    private static async Task<(string Id, int RestartCount, bool Ready)> ContainerAsync(KubectlRunner kubectl, string pod, CancellationToken ct)
    {
        using var json = await kubectl.GetJsonAsync(["pod", pod], ct);
        var status = json.RootElement.GetProperty("status").GetProperty("containerStatuses").EnumerateArray().Single();
        return (status.GetProperty("containerID").GetString()!, status.GetProperty("restartCount").GetInt32(), status.GetProperty("ready").GetBoolean());
    }

    private static async Task<List<Container>> ContainersOfAsync(CriClient cri, string podUid, CancellationToken ct)
        => (await cri.Runtime.ListContainersAsync(
            new ListContainersRequest { Filter = new ContainerFilter { LabelSelector = { [PodLabels.PodUid] = podUid } } },
            cancellationToken: ct)).Containers.ToList();
}
