using System.Diagnostics;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.NodeAgentCri;

/// <summary>
/// Our runtime as users run it: a real <c>nodeagent cri</c> process on a private socket and data
/// dir, reached through our CRI client. Can be killed (SIGKILL) and restarted on the same data.
/// </summary>
public sealed class NodeAgentCriProcess : IAsyncDisposable
{
    private Process _process;
    private bool _stopped;

    private NodeAgentCriProcess(NodeAgentCriSettings settings, Process process, CriClient client)
    {
        Settings = settings;
        _process = process;
        Client = client;
    }

    public NodeAgentCriSettings Settings { get; }

    public CriClient Client { get; }

    public int ProcessId => _process.Id;

    public static async Task<NodeAgentCriProcess> StartAsync(NodeAgentCriSettings settings, CancellationToken cancellationToken)
    {
        if (settings.RegistriesYaml is not null)
        {
            await File.WriteAllTextAsync(settings.RegistriesYamlPath, settings.RegistriesYaml, cancellationToken);
        }

        var instance = new NodeAgentCriProcess(settings, Launch(settings), CriClientFactory.Connect(settings.Endpoint));
        try
        {
            await instance.WaitUntilServingAsync(cancellationToken);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL, as a crash or OOM kill would, then start again on the same data dir.</summary>
    public async Task KillAndRestartAsync(CancellationToken cancellationToken)
    {
        _process.Kill();
        await _process.WaitForExitAsync(cancellationToken);
        _process.Dispose();
        _process = Launch(Settings);
        await WaitUntilServingAsync(cancellationToken);
    }

    public string ReadLog() => File.Exists(Settings.LogFile) ? File.ReadAllText(Settings.LogFile) : string.Empty;

    /// <summary>Stops the runtime for good (SIGTERM, then SIGKILL), as a runtime that went down would; dispose still cleans up.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await TestProcess.StopAsync(_process, TimeSpan.FromSeconds(10));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        _process.Dispose();
    }

    private static Process Launch(NodeAgentCriSettings settings)
    {
        var args = new List<string>
        {
            "exec", settings.NodeAgentDll, "cri",
            "--listen", settings.Endpoint,
            "--data-dir", settings.DataDir,
            "--run-dir", settings.RunDir,
            "--bridge", settings.BridgeName,
            "--pod-cidr", settings.PodCidr,
            "--registry-config", settings.RegistriesYaml is null ? Path.Combine(settings.BaseDirectory, "no-registries.yaml") : settings.RegistriesYamlPath,
        };
        foreach (var registry in settings.InsecureRegistries)
        {
            args.AddRange(["--insecure-registry", registry]);
        }

        // No config file of the host may leak into a test.
        var environment = new Dictionary<string, string>(settings.Environment) { ["NODEAGENT_CONFIG"] = Path.Combine(settings.BaseDirectory, "empty-config.yaml") };
        File.WriteAllText(environment["NODEAGENT_CONFIG"], string.Empty);
        if (settings.RegistriesYaml is null)
        {
            File.WriteAllText(Path.Combine(settings.BaseDirectory, "no-registries.yaml"), string.Empty);
        }

        return TestProcess.StartBackground("dotnet", args, settings.LogFile, environment);
    }

    private Task WaitUntilServingAsync(CancellationToken cancellationToken)
        => Eventually.UntilAsync(
            async ct =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"nodeagent cri exited with {_process.ExitCode}:\n{ReadLog()}");
                }

                if (!File.Exists(Settings.Socket))
                {
                    return false;
                }

                var version = await Client.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, cancellationToken: ct);
                return version.RuntimeApiVersion == "v1";
            },
            "nodeagent cri to serve on its socket",
            cancellationToken);
}
