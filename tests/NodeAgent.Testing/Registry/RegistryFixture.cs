using System.Diagnostics;
using System.Net;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Processes;
using Xunit;

namespace NodeAgent.Testing.Registry;

/// <summary>
/// A real docker-registry (distribution v2) on 127.0.0.1 and a free port, storing into a temp
/// directory; anonymous unless the options carry credentials. Use it as an xunit class or
/// collection fixture (<see cref="IAsyncLifetime"/>), or start one with <see cref="StartNewAsync"/>
/// and <c>await using</c> it. Disposal stops the process it started (by PID) and removes its dir.
/// </summary>
public class RegistryFixture : IAsyncLifetime, IAsyncDisposable
{
    private const int StartAttempts = 3;

    private readonly RegistryOptions _options;
    private TempDirectory? _root;
    private Process? _process;
    private int _port;

    /// <summary>An anonymous registry (what xunit uses for <c>IClassFixture&lt;RegistryFixture&gt;</c>).</summary>
    public RegistryFixture()
        : this(RegistryOptions.Anonymous)
    {
    }

    protected RegistryFixture(RegistryOptions options)
    {
        _options = options;
    }

    /// <summary><c>127.0.0.1:PORT</c>, the registry host as image references and <c>--insecure-registry</c> spell it.</summary>
    public string Host => $"127.0.0.1:{EnsureStarted()}";

    public Uri BaseAddress => new($"http://{Host}/");

    /// <summary>The credentials the registry requires, or null when it is anonymous.</summary>
    public RegistryCredentials? Credentials => _options.Credentials;

    public int ProcessId => _process?.Id ?? throw NotStarted();

    /// <summary>The fixture's temp directory: config, htpasswd, log, storage and scratch layouts.</summary>
    public string RootDirectory => _root?.Path ?? throw NotStarted();

    public string LogFile => Path.Combine(RootDirectory, "registry.log");

    /// <summary>Starts a registry with the given options; the caller disposes it.</summary>
    public static async Task<RegistryFixture> StartNewAsync(RegistryOptions options, CancellationToken cancellationToken)
    {
        var fixture = new RegistryFixture(options);
        try
        {
            await fixture.StartAsync(cancellationToken).ConfigureAwait(false);
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary><c>127.0.0.1:PORT/REPOSITORY:TAG</c>.</summary>
    public string Reference(string repository, string tag) => $"{Host}/{repository}:{tag}";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("The registry is already started.");
        }

        if (!File.Exists(_options.RegistryBinary))
        {
            throw new InvalidOperationException($"{_options.RegistryBinary} is missing: install the Debian package 'docker-registry'.");
        }

        try
        {
            await StartProcessAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // xunit may not dispose a fixture whose start failed: leave nothing behind.
            await DisposeAsyncCore().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Pushes the image or index tagged <paramref name="layoutReference"/> in an OCI layout to
    /// <paramref name="destination"/> (<c>repo:tag</c>) with the fixture's credentials. Indexes
    /// are pushed with all their platforms; digests are preserved.
    /// </summary>
    public Task PushAsync(string layoutDirectory, string layoutReference, string destination, CancellationToken cancellationToken)
        => PushAsync(layoutDirectory, layoutReference, destination, Credentials, cancellationToken);

    /// <summary>As above, with explicit credentials (null pushes anonymously).</summary>
    public Task PushAsync(
        string layoutDirectory,
        string layoutReference,
        string destination,
        RegistryCredentials? credentials,
        CancellationToken cancellationToken)
        => SkopeoPush.RunAsync(_options.SkopeoBinary, layoutDirectory, layoutReference, $"{Host}/{destination}", credentials, cancellationToken);

    /// <summary>Builds <paramref name="spec"/> in a scratch layout and pushes it to <paramref name="destination"/> (<c>repo:tag</c>).</summary>
    public async Task<BuiltImage> PushImageAsync(ImageSpec spec, string destination, CancellationToken cancellationToken)
    {
        var layout = NewScratchLayout();
        var image = await layout.AddImageAsync(spec, cancellationToken).ConfigureAwait(false);
        await PushAsync(layout.Directory, spec.Tag, destination, cancellationToken).ConfigureAwait(false);
        return image;
    }

    /// <summary>Builds a multi-platform index over <paramref name="platformImages"/> and pushes it with every platform.</summary>
    public async Task<BuiltIndex> PushIndexAsync(IReadOnlyList<ImageSpec> platformImages, string destination, CancellationToken cancellationToken)
    {
        const string tag = "index";
        var layout = NewScratchLayout();
        var index = await layout.AddIndexAsync(tag, platformImages, cancellationToken).ConfigureAwait(false);
        await PushAsync(layout.Directory, tag, destination, cancellationToken).ConfigureAwait(false);
        return index;
    }

    /// <summary>An HTTP client for <c>/v2/…</c>, with the fixture's credentials unless others are given.</summary>
    public RegistryHttpClient CreateClient() => new(BaseAddress, Credentials);

    public RegistryHttpClient CreateClient(RegistryCredentials? credentials) => new(BaseAddress, credentials);

    async Task IAsyncLifetime.InitializeAsync()
    {
        using var deadline = new CancellationTokenSource(_options.StartTimeout);
        await StartAsync(deadline.Token).ConfigureAwait(false);
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    protected virtual async ValueTask DisposeAsyncCore()
    {
        if (_process is not null)
        {
            await TestProcess.StopAsync(_process, _options.StopGrace).ConfigureAwait(false);
            // The Process object is not disposed: TestProcess's exit handler may still be draining its output.
            _process = null;
        }

        _root?.Dispose();
        _root = null;
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        _root = new TempDirectory("nodeagent-registry");
        var storage = Directory.CreateDirectory(Path.Combine(_root.Path, "storage")).FullName;
        string? htpasswd = null;
        if (_options.Credentials is not null)
        {
            htpasswd = Path.Combine(_root.Path, "htpasswd");
            await HtpasswdFile.WriteAsync(_options.HtpasswdBinary, htpasswd, _options.Credentials, cancellationToken).ConfigureAwait(false);
        }

        // FreePort can race with another process grabbing the port; a fresh port on "address in use" fixes that.
        for (var attempt = 1; ; attempt++)
        {
            _port = FreePort.Next();
            var config = Path.Combine(_root.Path, "config.yml");
            await RegistryConfigFile.WriteAsync(config, _port, storage, htpasswd, cancellationToken).ConfigureAwait(false);
            _process = TestProcess.StartBackground(_options.RegistryBinary, ["serve", config], LogFile);
            if (await WaitUntilReadyAsync(_process, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var log = await ReadLogAsync(cancellationToken).ConfigureAwait(false);
            _process = null;
            if (attempt == StartAttempts || !log.Contains("address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"docker-registry exited during start-up on port {_port}. Its log:\n{log}");
            }
        }
    }

    private async Task<bool> WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var outcome = await Eventually.UntilAsync<string>(
            async ct =>
            {
                if (process.HasExited)
                {
                    return "exited";
                }

                // /v2/ answers 200, or 401 when auth is on: either way the registry is serving.
                using var response = await http.GetAsync(new Uri("v2/", UriKind.Relative), ct).ConfigureAwait(false);
                return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized ? "ready" : null;
            },
            $"docker-registry to answer GET http://{Host}/v2/ (log: {LogFile})",
            cancellationToken).ConfigureAwait(false);
        return outcome == "ready";
    }

    private async Task<string> ReadLogAsync(CancellationToken cancellationToken)
    {
        // The writer still holds the log open, so share it both ways.
        var stream = new FileStream(LogFile, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private OciLayoutWriter NewScratchLayout()
        => new(Directory.CreateDirectory(Path.Combine(RootDirectory, "layouts", Guid.NewGuid().ToString("N"))).FullName);

    private int EnsureStarted() => _process is not null ? _port : throw NotStarted();

    private static InvalidOperationException NotStarted() => new("The registry fixture is not started (call StartAsync or use it as an xunit fixture).");
}
