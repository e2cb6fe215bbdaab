using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Tests.Server;

/// <summary>
/// A real <c>nodeagent server</c> process on a free loopback port with its own data dir and
/// kubeconfig path. Start waits for the kubeconfig (the server's "ready" signal); dispose stops
/// the process by PID (SIGTERM, then kill) and removes the directory.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    public static readonly string NodeAgentDll = Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");

    private readonly TempDirectory _dir;
    private readonly bool _ownsDirectory;
    private Process? _process;

    private ServerProcess(TempDirectory dir, bool ownsDirectory, int port, string? datastore)
    {
        _dir = dir;
        _ownsDirectory = ownsDirectory;
        Port = port;
        Datastore = datastore;
    }

    public int Port { get; }

    public string? Datastore { get; }

    public string DataDir => _dir.Combine("data");

    public string KubeconfigPath => _dir.Combine("admin.kubeconfig");

    public string LogFile => _dir.Combine("server.log");

    public Uri BaseUri => new($"https://127.0.0.1:{Port}");

    public Process Process => _process ?? throw new InvalidOperationException("not started");

    /// <summary>Starts a server in a new temp dir (or <paramref name="reuse"/>'s, for restart tests) without waiting.</summary>
    public static ServerProcess Launch(string? datastore = null, ServerProcess? reuse = null)
    {
        var dir = reuse?._dir ?? new TempDirectory(TestIds.NewPrefix() + "-server");
        var server = new ServerProcess(dir, ownsDirectory: reuse is null, reuse?.Port ?? FreePort.Next(), datastore ?? reuse?.Datastore);
        // An own config file, so a machine's /etc/nodeagent/config.yaml never leaks into the test.
        var config = dir.Combine("config.yaml");
        File.WriteAllText(config, $"data-dir: {server.DataDir}\n");
        List<string> args =
        [
            "exec", NodeAgentDll, "server",
            "--config", config,
            "--data-dir", server.DataDir,
            "--run-dir", dir.Combine("run"),
            "--api-address", "127.0.0.1",
            "--api-port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--kubeconfig", server.KubeconfigPath,
            "--node-name", "test-node",
        ];
        if (server.Datastore is not null)
        {
            args.AddRange(["--datastore-endpoint", server.Datastore]);
        }

        server._process = TestProcess.StartBackground("dotnet", args, server.LogFile);
        return server;
    }

    public static async Task<ServerProcess> StartAsync(CancellationToken ct, string? datastore = null)
    {
        var server = Launch(datastore);
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
            await TestProcess.StopAsync(_process, TimeSpan.FromSeconds(10));
            _process.Dispose();
            _process = null;
        }

        if (_ownsDirectory)
        {
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
