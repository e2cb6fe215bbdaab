using System.Diagnostics;
using k8s;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Controllers.Tests.Integration;

/// <summary>A running Kubernetes API the tests talk to as ordinary clients.</summary>
public interface IApiServerEndpoint
{
    Uri BaseUrl { get; }

    /// <summary>The admin kubeconfig the server wrote.</summary>
    string KubeconfigPath { get; }

    IKubernetes CreateClient();
}

/// <summary>
/// A real <c>nodeagent server</c> (our API server, storage and whatever components it runs) on a free loopback port
/// with its own data dir, run dir, bridge and pod CIDR; ready once it has written the admin kubeconfig (it does so only
/// when the API answers, DESIGN.md §6a). A server that exits or never becomes ready fails the test with its log.
/// Tests using it carry <c>[Trait("Needs", "ApiServer")]</c>.
/// </summary>
public sealed class NodeAgentServer : IApiServerEndpoint, IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly Process _process;
    private readonly string _bridge;

    private NodeAgentServer(TempDirectory directory, Process process, int port, string kubeconfig, string logFile, string nodeName, string bridge)
    {
        _bridge = bridge;
        NodeName = nodeName;
        _directory = directory;
        _process = process;
        BaseUrl = new Uri($"https://127.0.0.1:{port}");
        KubeconfigPath = kubeconfig;
        LogFile = logFile;
    }

    public Uri BaseUrl { get; }

    public string KubeconfigPath { get; }

    public string LogFile { get; }

    /// <summary>The server's own node name (so tests can tell its node from theirs).</summary>
    public string NodeName { get; }

    public static async Task<NodeAgentServer> StartAsync(CancellationToken cancellationToken)
    {
        var prefix = TestIds.NewPrefix();
        var directory = new TempDirectory(prefix);
        var port = FreePort.Next();
        var kubeconfig = directory.Combine("admin.kubeconfig");
        var logFile = directory.Combine("nodeagent-server.log");
        var config = directory.Combine("empty-config.yaml");
        // The server runs the whole node: its runtime creates this bridge with the first pod it gets.
        var bridge = prefix[..Math.Min(prefix.Length, 12)] + "b";
        await File.WriteAllTextAsync(config, string.Empty, cancellationToken);
        var args = new List<string>
        {
            "exec", Path.Combine(AppContext.BaseDirectory, "nodeagent.dll"), "server",
            "--data-dir", directory.Combine("data"),
            "--run-dir", directory.Combine("run"),
            "--api-address", "127.0.0.1",
            "--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--kubeconfig", kubeconfig,
            "--node-name", prefix + "-server",
            "--bridge", bridge,
            "--pod-cidr", TestIds.NewSubnet24(),
        };

        // No config file of the host may leak into a test.
        var process = TestProcess.StartBackground("dotnet", args, logFile, new Dictionary<string, string> { ["NODEAGENT_CONFIG"] = config });
        var server = new NodeAgentServer(directory, process, port, kubeconfig, logFile, prefix + "-server", bridge);
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public IKubernetes CreateClient() => new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    public string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        await TestProcess.StopAsync(_process, TimeSpan.FromSeconds(15));
        _process.Dispose();
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await NodeAgent.Testing.Containerd.HostCleanup.DeleteBridgeAsync(_bridge, cleanup.Token);
        _directory.Dispose();
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        startup.CancelAfter(TimeSpan.FromSeconds(60));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        Exception? last = null;
        while (true)
        {
            // An exited server fails at once, with its log (in this branch: "not implemented").
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nodeagent server exited with {_process.ExitCode} before serving the API:\n{ReadLog()}");
            }

            if (File.Exists(KubeconfigPath))
            {
                try
                {
                    var version = await CreateClient().Version.GetCodeAsync(startup.Token);
                    if (!string.IsNullOrEmpty(version.GitVersion))
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    last = e;
                }
            }

            try
            {
                await poll.WaitForNextTickAsync(startup.Token);
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException($"nodeagent server did not serve the API with a kubeconfig at {KubeconfigPath} within 60 s:\n{ReadLog()}", last);
            }
        }
    }
}
