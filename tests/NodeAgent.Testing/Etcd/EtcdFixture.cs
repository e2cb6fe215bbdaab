using System.Diagnostics;
using System.Globalization;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Processes;
using Xunit;

namespace NodeAgent.Testing.Etcd;

/// <summary>
/// A real single-member etcd v3 on 127.0.0.1 with random client and peer ports and a temp data dir. Use it as an
/// xunit class fixture (<see cref="IAsyncLifetime"/>) or start one with <see cref="StartNewAsync"/> and
/// <c>await using</c> it. Disposal stops the process it started (by PID) and removes its directory.
/// </summary>
public sealed class EtcdFixture : IAsyncLifetime, IAsyncDisposable
{
    private const int StartAttempts = 3;

    private readonly EtcdOptions _options;
    private TempDirectory? _root;
    private Process? _process;
    private int _clientPort;
    private int _peerPort;

    public EtcdFixture()
        : this(EtcdOptions.Default)
    {
    }

    private EtcdFixture(EtcdOptions options)
    {
        _options = options;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, the form <c>--datastore-endpoint</c> takes.</summary>
    public string Endpoint => $"http://127.0.0.1:{(_process is null ? throw NotStarted() : _clientPort)}";

    public int ProcessId => _process?.Id ?? throw NotStarted();

    public string RootDirectory => _root?.Path ?? throw NotStarted();

    public string LogFile => Path.Combine(RootDirectory, "etcd.log");

    public static async Task<EtcdFixture> StartNewAsync(EtcdOptions options, CancellationToken cancellationToken)
    {
        var fixture = new EtcdFixture(options);
        await fixture.StartAsync(cancellationToken).ConfigureAwait(false);
        return fixture;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("etcd is already started.");
        }

        if (!File.Exists(_options.EtcdBinary))
        {
            throw new InvalidOperationException($"{_options.EtcdBinary} is missing: install the Debian package 'etcd-server'.");
        }

        try
        {
            _root = new TempDirectory(TestIds.NewPrefix() + "-etcd");
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await StartProcessAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (EtcdStartException) when (attempt < StartAttempts && !cancellationToken.IsCancellationRequested)
                {
                    // A port taken between FreePort and etcd's bind: try fresh ports.
                    await StopProcessAsync().ConfigureAwait(false);
                }
            }
        }
        catch
        {
            // xunit may not dispose a fixture whose start failed: leave nothing behind.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        using var deadline = TestDeadline.Start(_options.StartTimeout);
        await StartAsync(deadline.Token).ConfigureAwait(false);
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync().ConfigureAwait(false);
        _root?.Dispose();
        _root = null;
    }

    /// <summary>Stops etcd (SIGTERM, by PID) and starts it again on the same ports and data: a server restart.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        if (_process is null)
        {
            throw NotStarted();
        }

        await StopProcessAsync().ConfigureAwait(false);
        await StartProcessAsync(cancellationToken, keepPorts: true).ConfigureAwait(false);
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken, bool keepPorts = false)
    {
        if (!keepPorts)
        {
            _clientPort = FreePort.Next();
            _peerPort = FreePort.Next();
        }

        var client = $"http://127.0.0.1:{_clientPort}";
        var peer = $"http://127.0.0.1:{_peerPort}";
        var dataDir = Path.Combine(RootDirectory, $"data-{_peerPort}");
        string[] args =
        [
            "--name", "test",
            "--data-dir", dataDir,
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"test={peer}",
            "--initial-cluster-state", keepPorts ? "existing" : "new",
            "--experimental-watch-progress-notify-interval",
            ((long)_options.ProgressNotifyInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms",
            "--logger", "zap",
            "--log-level", "warn",
        ];
        _process = TestProcess.StartBackground(_options.EtcdBinary, args, LogFile);

        using var health = new HttpClient { BaseAddress = new Uri(client), Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.StartTimeout);
        // The probe ends the wait early when etcd has exited (a taken port), so a retry need not wait out the deadline.
        var outcome = await Eventually.UntilAsync<string>(
            async ct =>
            {
                if (_process.HasExited)
                {
                    return "exited";
                }

                using var response = await health.GetAsync(new Uri("/health", UriKind.Relative), ct).ConfigureAwait(false);
                return response.IsSuccessStatusCode ? "healthy" : null;
            },
            $"etcd on {client} to report healthy",
            deadline.Token).ConfigureAwait(false);
        if (outcome == "exited")
        {
            throw new EtcdStartException($"etcd exited with {_process.ExitCode}: {await File.ReadAllTextAsync(LogFile, cancellationToken).ConfigureAwait(false)}");
        }
    }

    private async Task StopProcessAsync()
    {
        if (_process is null)
        {
            return;
        }

        await TestProcess.StopAsync(_process, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
        _process = null;
    }

    private static InvalidOperationException NotStarted() => new("etcd is not started.");

    private sealed class EtcdStartException(string message, Exception? inner = null) : Exception(message, inner);
}
