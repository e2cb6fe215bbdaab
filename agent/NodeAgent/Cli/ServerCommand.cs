using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NodeAgent.Api.Hosting;
using NodeAgent.Api.Security;
using NodeAgent.Configuration;
using NodeAgent.Storage;

namespace NodeAgent.Cli;

/// <summary>
/// <c>nodeagent server</c>: credentials, storage, the API on HTTPS, then (only once it answers)
/// the admin kubeconfig, then the other components; runs until SIGTERM/SIGINT.
/// </summary>
internal static partial class ServerCommand
{
    public static Command Create(CommandContext context)
        => ConfiguredCommand.Create(
            "server", "Run everything: API server, storage, controllers, scheduler, node role, proxy and CRI runtime",
            ConfigKeys.Server, context, RunAsync);

    private static async Task<int> RunAsync(NodeAgentOptions options, CommandContext context, ParseResult result, CancellationToken cancellationToken)
    {
        options = WithTestSettings(options, context);
        using var loggerFactory = CliLogging.Create();
        var logger = loggerFactory.CreateLogger("NodeAgent.Server");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            CancelQuietly(stop);
        });

        try
        {
            var exitCode = await RunUntilStoppedAsync(options, loggerFactory, logger, stop.Token);
            LogStopped(logger);
            return exitCode;
        }
        catch (ServerStartException e)
        {
            await context.Error.WriteLineAsync($"nodeagent server: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped while starting: nothing half-done is left running.
            return ExitCodes.Success;
        }
    }

    /// <summary>Settings kubelet has no flag for that tests still need short (undocumented, for tests only).</summary>
    private static NodeAgentOptions WithTestSettings(NodeAgentOptions options, CommandContext context)
        => context.Environment[NodeAgentOptions.TestContainerLogMonitorPeriodVariable] is string text
           && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? options with { ContainerLogMonitorPeriod = TimeSpan.FromSeconds(seconds) }
            : options;

    private static async Task<int> RunUntilStoppedAsync(NodeAgentOptions options, ILoggerFactory loggerFactory, ILogger logger, CancellationToken stop)
    {
        var paths = new SecurityPaths(options.DataDir);
        EnsureWritable(options.DataDir);
        using var certificates = LoadCertificates(paths, options);
        var adminToken = Guard(() => AdminToken.LoadOrCreate(paths.AdminToken), $"cannot keep the admin token in {paths.AdminToken}");
        var tokens = LoadTokens(paths, adminToken);
        using var serviceAccountTokens = Guard(
            () => ServiceAccountTokens.LoadOrCreate(paths.ServiceAccountKey, ServiceAccountTokens.DefaultIssuer, TimeProvider.System),
            $"cannot keep the service-account signing key in {paths.ServiceAccountKey}");

        await using var store = await OpenStoreAsync(options, loggerFactory, stop);
        using var podStreams = new NodePodStreamBackend(ServerComponents.CriEndpoint(options));
        var apiOptions = new ApiServerOptions
        {
            Address = options.ApiAddress,
            Port = options.ApiPort,
            ServiceCidr = options.ServiceCidr,
            ServingCertificate = certificates.Serving,
            ClientCertificateAuthority = certificates.Authority.Certificate,
            Authenticators =
            [
                new ClientCertificateAuthenticator(certificates.Authority, TimeProvider.System),
                new TokenAuthenticator(tokens),
            ],
            Authorizer = new DiscoveryOnlyAuthorizer(),
            PodStreams = podStreams,
            ServiceAccountTokens = serviceAccountTokens,
        };
        await using var api = await StartApiAsync(apiOptions, store, loggerFactory, stop);

        var serverUri = AdminKubeconfig.ServerUri(options.ApiAddress, api.Port);
        Guard(
            () => PrivateFile.WriteAllText(options.Kubeconfig, AdminKubeconfig.WithToken(serverUri, certificates.Authority.Certificate, adminToken)),
            $"cannot write the admin kubeconfig to {options.Kubeconfig}");
        LogServing(logger, serverUri, options.DatastoreEndpoint, options.Kubeconfig);

        var environment = new ServerEnvironment(options, store, serverUri, certificates.Authority.Certificate, adminToken, loggerFactory);
        var started = new Stack<IServerComponent>();
        try
        {
            foreach (var component in ServerComponents.For(options))
            {
                // Pushed before it starts: a half-started component is disposed too.
                started.Push(component);
                await StartComponentAsync(component, environment, stop);
                LogComponentStarted(logger, component.Name);
            }

            _ = ReleaseStartupMemoryAsync(stop);
            await WaitForStopAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // SIGTERM while the components were starting: stop those that started, like any other shutdown.
        }
        finally
        {
            if (stop.IsCancellationRequested)
            {
                LogStopping(logger);
            }

            // Reverse order: scheduler, node role (pods keep running), runtime, ServiceAccount controllers; then the API and the store.
            while (started.TryPop(out var component))
            {
                await component.DisposeAsync();
                LogComponentStopped(logger, component.Name);
            }
        }

        return ExitCodes.Success;
    }

    private static readonly TimeSpan StartupSettleTime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Starting leaves some 20 MB of dead objects (certificates, discovery and OpenAPI documents, the first syncs; in the
    /// Native AOT build also the runtime's type-loader names) in GC regions that the collector keeps committed for
    /// reuse, and an idle server never collects again. One aggressive collection after the start has settled (the node
    /// registers and syncs within about a second) returns them to the system: idle RSS 96 → 72 MB in the AOT build
    /// (bench/README.md, "Native AOT meets the targets").
    /// </summary>
    private static async Task ReleaseStartupMemoryAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(StartupSettleTime, stop);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private static async Task StartComponentAsync(IServerComponent component, ServerEnvironment environment, CancellationToken stop)
    {
        try
        {
            await component.StartAsync(environment, stop);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            throw new ServerStartException(ExitCodes.Failure, $"cannot start the {component.Name}: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Stopped while starting: however the component noticed (an aborted call, a closed socket), it is a shutdown.
            throw new OperationCanceledException($"stopped while starting the {component.Name}", e, stop);
        }
    }

    /// <summary>A second SIGTERM may be dispatched while the first one's shutdown disposes the source.</summary>
    private static void CancelQuietly(CancellationTokenSource stop)
    {
        try
        {
            stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already shutting down.
        }
    }

    private static async Task WaitForStopAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM or SIGINT: the normal way out.
        }
    }

    private static void EnsureWritable(string dataDir)
        => Guard(
            () =>
            {
                Directory.CreateDirectory(dataDir);
                PrivateFile.WriteAllText(Path.Combine(dataDir, ".write-test"), "");
                File.Delete(Path.Combine(dataDir, ".write-test"));
            },
            $"data dir {dataDir} is not writable (choose another with --data-dir or fix its permissions)");

    private static ClusterCertificates LoadCertificates(SecurityPaths paths, NodeAgentOptions options)
    {
        var names = ServingCertificateNames.For(options.NodeName, options.ApiAddress, options.ServiceCidr);
        return Guard(
            () => ClusterCertificates.LoadOrCreate(paths, names, TimeProvider.System.GetUtcNow()),
            $"cannot prepare the certificates in {paths.TlsDir}");
    }

    private static List<StaticToken> LoadTokens(SecurityPaths paths, string adminToken)
    {
        try
        {
            return [AdminToken.Entry(adminToken), .. StaticTokenFile.LoadIfExists(paths.TokensFile)];
        }
        catch (FormatException e)
        {
            throw new ServerStartException(ExitCodes.Usage, e.Message);
        }
    }

    private static async Task<IRevisionedStore> OpenStoreAsync(NodeAgentOptions options, ILoggerFactory loggerFactory, CancellationToken stop)
    {
        try
        {
            return await StorageFactory.OpenAsync(options.DatastoreEndpoint, options.DataDir, loggerFactory, stop);
        }
        catch (StorageException e)
        {
            throw new ServerStartException(ExitCodes.Failure, $"cannot open the datastore {options.DatastoreEndpoint}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new ServerStartException(ExitCodes.Usage, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new ServerStartException(ExitCodes.Failure, $"cannot open the datastore in {options.DataDir}: {e.Message}");
        }
    }

    private static async Task<ApiServer> StartApiAsync(ApiServerOptions options, IRevisionedStore store, ILoggerFactory loggerFactory, CancellationToken stop)
    {
        try
        {
            return await ApiServer.StartAsync(options, store, loggerFactory, stop);
        }
        catch (IOException e) when (IsAddressInUse(e))
        {
            throw new ServerStartException(ExitCodes.Failure,
                $"port {options.Port} on {options.Address} is already in use (another nodeagent or kube-apiserver?); stop it or choose another with --api-port");
        }
        catch (IOException e)
        {
            throw new ServerStartException(ExitCodes.Failure, $"cannot listen on {options.Address} port {options.Port}: {e.Message} (check --api-address)");
        }
    }

    private static bool IsAddressInUse(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                || current.GetType().Name == "AddressInUseException")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Turns a file-system or crypto failure into one actionable line.</summary>
    private static void Guard(Action action, string what) => Guard<object?>(() =>
    {
        action();
        return null;
    }, what);

    private static T Guard<T>(Func<T> action, string what)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ServerStartException(ExitCodes.Failure, $"{what}: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API serving on {Server} (datastore {Datastore}); admin kubeconfig written to {Kubeconfig}")]
    private static partial void LogServing(ILogger logger, Uri server, string datastore, string kubeconfig);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped: the API is closed and the datastore flushed")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started {Component}")]
    private static partial void LogComponentStarted(ILogger logger, string component);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped {Component}")]
    private static partial void LogComponentStopped(ILogger logger, string component);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: stopping the scheduler, the node role (pods keep running) and the runtime, then the API and the datastore")]
    private static partial void LogStopping(ILogger logger);

    /// <summary>A start-up failure with the one line the user sees and the exit code.</summary>
    private sealed class ServerStartException(int exitCode, string message) : Exception(message)
    {
        public int ExitCode { get; } = exitCode;
    }
}
