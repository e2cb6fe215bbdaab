using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Tests.Server;

/// <summary>
/// A real <c>nodeagent server</c> process on a free loopback port with its own data dir, run dir,
/// kubeconfig path, pod bridge and pod CIDR (the server runs the whole node, runtime included).
/// Start waits for the kubeconfig (the server's "ready" signal); dispose stops the process by PID
/// (SIGTERM, then kill), deletes the bridge and removes the directory.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    public static readonly string NodeAgentDll = Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");

    /// <summary>
    /// <c>NODEAGENT_TEST_SERVER=path/nodeagent</c> runs the server tests against that executable (e.g. the Native AOT
    /// publish of scripts/publish-aot.sh) instead of <c>dotnet exec</c> of the build's dll.
    /// </summary>
    private static readonly string? ServerExecutable = Environment.GetEnvironmentVariable("NODEAGENT_TEST_SERVER") is { Length: > 0 } exe ? exe : null;

    private readonly TempDirectory _dir;
    private readonly bool _ownsDirectory;
    private Process? _process;

    private ServerProcess(TempDirectory dir, bool ownsDirectory, int port, string? datastore, ServerNetwork network)
    {
        _dir = dir;
        _ownsDirectory = ownsDirectory;
        Port = port;
        Datastore = datastore;
        Network = network;
    }

    /// <summary>The prefix every host-side name of this server carries (dirs, bridge, pods the test names so).</summary>
    public string Prefix => Network.Prefix;

    public ServerNetwork Network { get; }

    public string RunDir => _dir.Combine("run");

    /// <summary>The CRI runtime the node role talks to: <see cref="ServerNetwork.ContainerRuntimeEndpoint"/> or the built-in one.</summary>
    public string CriEndpoint => Network.ContainerRuntimeEndpoint ?? "unix://" + Path.Combine(RunDir, "cri.sock");

    public int Port { get; }

    public string? Datastore { get; }

    public string DataDir => _dir.Combine("data");

    public string KubeconfigPath => _dir.Combine("admin.kubeconfig");

    public string LogFile => _dir.Combine("server.log");

    public Uri BaseUri => new($"https://127.0.0.1:{Port}");

    public Process Process => _process ?? throw new InvalidOperationException("not started");

    /// <summary>Starts a server in a new temp dir (or <paramref name="reuse"/>'s, for restart tests) without waiting.</summary>
    public static ServerProcess Launch(string? datastore = null, ServerProcess? reuse = null, ServerNetwork? network = null)
    {
        network = reuse?.Network ?? network ?? ServerNetwork.New();
        var dir = reuse?._dir ?? new TempDirectory(network.Prefix + "-server");
        var server = new ServerProcess(dir, ownsDirectory: reuse is null, reuse?.Port ?? FreePort.Next(), datastore ?? reuse?.Datastore, network);
        // An own config file, so a machine's /etc/nodeagent/config.yaml never leaks into the test.
        var config = dir.Combine("config.yaml");
        File.WriteAllText(config, $"data-dir: {server.DataDir}\n");
        List<string> args = ServerExecutable is null ? ["exec", NodeAgentDll] : [];
        args.AddRange(
        [
            "server",
            "--config", config,
            "--data-dir", server.DataDir,
            "--run-dir", server.RunDir,
            "--api-address", "127.0.0.1",
            "--api-port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--kubeconfig", server.KubeconfigPath,
            "--node-name", network.NodeName,
            "--bridge", network.Bridge,
            "--pod-cidr", network.PodCidr,
        ]);
        foreach (var registry in network.InsecureRegistries)
        {
            args.AddRange(["--insecure-registry", registry]);
        }

        if (server.Datastore is not null)
        {
            args.AddRange(["--datastore-endpoint", server.Datastore]);
        }

        if (network.ContainerRuntimeEndpoint is not null)
        {
            args.AddRange(["--container-runtime-endpoint", network.ContainerRuntimeEndpoint]);
        }

        if (network.RegistryMirrors.Count > 0)
        {
            var registries = dir.Combine("registries.yaml");
            File.WriteAllText(registries, RegistriesYaml(network.RegistryMirrors));
            args.AddRange(["--registry-config", registries]);
        }

        args.AddRange(network.ExtraArguments);
        server._process = TestProcess.StartBackground(ServerExecutable ?? "dotnet", args, server.LogFile, network.Environment);
        return server;
    }

    public static async Task<ServerProcess> StartAsync(CancellationToken ct, string? datastore = null, ServerNetwork? network = null)
    {
        var server = Launch(datastore, network: network);
        try
        {
            await server.WaitForKubeconfigAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task WaitForKubeconfigAsync(CancellationToken ct)
    {
        await Eventually.UntilAsync(
            _ => Task.FromResult(File.Exists(KubeconfigPath) || Process.HasExited),
            $"the kubeconfig of the server on port {Port}", ct);
        if (Process.HasExited)
        {
            throw new InvalidOperationException($"nodeagent server exited with {Process.ExitCode}: {await ReadLogAsync(ct)}");
        }
    }

    /// <summary>SIGTERM and wait; the exit code.</summary>
    public async Task<int> StopAsync(CancellationToken ct)
    {
        Signals.Terminate(Process.Id);
        await Process.WaitForExitAsync(ct);
        return Process.ExitCode;
    }

    public Task<string> ReadLogAsync(CancellationToken ct) => File.ReadAllTextAsync(LogFile, ct);

    /// <summary>k3s-format registries.yaml: each registry host served by one mirror endpoint, no upstream fallback.</summary>
    private static string RegistriesYaml(IReadOnlyDictionary<string, string> mirrors)
        => "mirrors:\n" + string.Concat(mirrors.Select(m => $"  \"{m.Key}\":\n    endpoint: [\"{m.Value}\"]\n"));

    /// <summary>An HTTPS client that trusts exactly the server's CA, optionally presenting a client certificate.</summary>
    public HttpClient CreateClient(X509Certificate2? clientCertificate = null)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(DataDir, "tls", "ca.crt")));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            },
        };
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(20) };
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                using var podCleanup = TestDeadline.Seconds(60);
                await ServerPodCleanup.RemoveAllAsync(this, podCleanup.Token);
            }

            await TestProcess.StopAsync(_process, TimeSpan.FromSeconds(10));
            _process.Dispose();
            _process = null;
        }

        if (_ownsDirectory)
        {
            using var cleanup = TestDeadline.Seconds(30);
            await HostCleanup.DeleteBridgeAsync(Network.Bridge, cleanup.Token);
            _dir.Dispose();
        }
    }

    /// <summary>For restart tests: stop this process but keep the directory for the next one.</summary>
    public async Task<ServerProcess> RestartAsync(CancellationToken ct)
    {
        Assert.Equal(0, await StopAsync(ct));
        _process!.Dispose();
        _process = null;
        File.Delete(KubeconfigPath);
        var next = Launch(reuse: this);
        await next.WaitForKubeconfigAsync(ct);
        return next;
    }
}

/// <summary>Host-side names of one test server: node name, pod bridge and pod CIDR, all unique to the test.</summary>
internal sealed record ServerNetwork(string Prefix, string NodeName, string Bridge, string PodCidr)
{
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>Registry host → mirror endpoint (e.g. docker.io → http://127.0.0.1:PORT), written as the server's registries.yaml.</summary>
    public IReadOnlyDictionary<string, string> RegistryMirrors { get; init; } = new Dictionary<string, string>();

    /// <summary>A CRI runtime of the test's own (e.g. the containerd fixture) instead of the server's built-in one.</summary>
    public string? ContainerRuntimeEndpoint { get; init; }

    /// <summary>More flags for the server (e.g. --container-log-max-size) and variables for its environment.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>
    /// A /24 of its own by default (parallel tests never share addresses); <paramref name="podCidr"/> overrides it,
    /// e.g. with a /16 whose first /24 the node takes.
    /// </summary>
    public static ServerNetwork New(string? podCidr = null)
    {
        var prefix = TestIds.NewPrefix();
        return new ServerNetwork(prefix, prefix + "-node", prefix[..Math.Min(prefix.Length, 12)] + "b", podCidr ?? TestIds.NewSubnet24());
    }
}
