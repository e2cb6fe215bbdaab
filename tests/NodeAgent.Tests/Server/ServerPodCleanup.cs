using Grpc.Core;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;

namespace NodeAgent.Tests.Server;

/// <summary>
/// The failure path of a server test: a server still running at dispose (the test failed before deleting its pods)
/// gets its pods force-deleted, so the node role tears them down, and then whatever sandbox is left is removed through
/// its runtime — containers keep running across a server stop by design, which would otherwise leak them.
/// </summary>
internal static class ServerPodCleanup
{
    public static async Task RemoveAllAsync(ServerProcess server, CancellationToken ct)
    {
        var socket = server.CriEndpoint["unix://".Length..];
        if (!File.Exists(socket))
        {
            return;
        }

        if (File.Exists(server.KubeconfigPath))
        {
            using var kubectl = new KubectlRunner(server.KubeconfigPath);
            await kubectl.RunAsync(["delete", "pods", "--all", "--all-namespaces", "--grace-period=0", "--force", "--wait=false"], ct);
        }

        using var cri = CriClientFactory.Connect(server.CriEndpoint);
        try
        {
            using var nodeTeardown = CancellationTokenSource.CreateLinkedTokenSource(ct);
            nodeTeardown.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                await Eventually.UntilAsync(
                    async probe => (await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: probe)).Items.Count == 0,
                    "the node role to tear the pods down",
                    nodeTeardown.Token);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                // The node role did not finish: remove what is left directly.
                foreach (var sandbox in (await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: ct)).Items)
                {
                    await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: ct);
                    await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: ct);
                }
            }
        }
        catch (RpcException)
        {
            // The runtime is gone with the server; nothing more can be done from here.
        }
    }
}
