using System.Diagnostics;
using Grpc.Core;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Containerd;

/// <summary>
/// A private containerd (Debian's package) with its own root, state, socket and CNI network.
/// Disposal removes every pod it ran and everything it left on the host.
/// </summary>
public sealed class ContainerdInstance : IAsyncDisposable
{
    public const string Binary = "/usr/bin/containerd";

    private readonly Process _process;

    private ContainerdInstance(ContainerdSettings settings, Process process, CriClient client)
    {
        Settings = settings;
        _process = process;
        Client = client;
    }

    public ContainerdSettings Settings { get; }

    /// <summary>Our CRI client stubs, connected to this containerd.</summary>
    public CriClient Client { get; }

    public static async Task<ContainerdInstance> StartAsync(ContainerdSettings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install the Debian package 'containerd' (scripts/install-deps.sh --test).");
        }

        WriteConfiguration(settings);
        var process = TestProcess.StartBackground(Binary, ["--config", settings.ConfigFile], settings.LogFile);
        var client = CriClientFactory.Connect(settings.Endpoint);
        var instance = new ContainerdInstance(settings, process, client);
        try
        {
            await instance.WaitUntilReadyAsync(cancellationToken);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    /// <summary>Lets this containerd pull from another test registry over plain HTTP (read per pull, no restart).</summary>
    public void TrustRegistry(string registryHost)
    {
        var dir = Path.Combine(Settings.RegistryHostsDirectory, registryHost);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "hosts.toml"), ContainerdConfigRenderer.RenderHostsToml(registryHost));
    }

    public string ReadLog() => File.Exists(Settings.LogFile) ? File.ReadAllText(Settings.LogFile) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        if (!_process.HasExited)
        {
            await RemoveAllPodsAsync(cts.Token);
        }

        Client.Dispose();
        await TestProcess.StopAsync(_process, TimeSpan.FromSeconds(10));
        _process.Dispose();
        await HostCleanup.RemoveLeftoversAsync(Settings, cts.Token);
    }

    private static void WriteConfiguration(ContainerdSettings settings)
    {
        Directory.CreateDirectory(settings.CniConfigDirectory);
        File.WriteAllText(settings.ConfigFile, ContainerdConfigRenderer.RenderConfig(settings));
        File.WriteAllText(Path.Combine(settings.CniConfigDirectory, "10-" + settings.NetworkName + ".conflist"), ContainerdConfigRenderer.RenderCniConflist(settings));
        foreach (var registry in new[] { settings.RegistryHost, "docker.io", "registry.k8s.io" })
        {
            var dir = Path.Combine(settings.RegistryHostsDirectory, registry);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "hosts.toml"), ContainerdConfigRenderer.RenderHostsToml(settings.RegistryHost));
        }
    }

    /// <summary>Ready means the CRI plugin answers and reports its runtime and network ready.</summary>
    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        await Eventually.UntilAsync(
            async ct =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"containerd exited with {_process.ExitCode}:\n{ReadLog()}");
                }

                if (!File.Exists(Settings.Socket))
                {
                    return false;
                }

                var status = await Client.Runtime.StatusAsync(new StatusRequest(), cancellationToken: ct);
                return status.Status.Conditions.All(c => c.Status);
            },
            "containerd's CRI plugin to report ready",
            cancellationToken);
    }

    private async Task RemoveAllPodsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pods = await Client.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: cancellationToken);
            foreach (var pod in pods.Items)
            {
                await Client.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.Id }, cancellationToken: cancellationToken);
                await Client.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod.Id }, cancellationToken: cancellationToken);
            }
        }
        catch (RpcException)
        {
            // Best effort: HostCleanup still kills shims and unmounts whatever is left.
        }
    }
}
