using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NodeAgent.Configuration;
using NodeAgent.Cri;
using NodeAgent.Runtime;
using NodeAgent.Runtime.Server;

namespace NodeAgent.Cli;

/// <summary><c>nodeagent cri</c>: serve only the CRI runtime on a unix socket until SIGTERM/SIGINT.</summary>
internal static class CriCommand
{
    public static Command Create(CommandContext context)
        => ConfiguredCommand.Create(
            "cri", "Run only the CRI runtime on a unix socket (for crictl, a kubelet or our node role)",
            ConfigKeys.Cri, context, RunAsync);

    private static async Task<int> RunAsync(NodeAgentOptions options, CommandContext context, ParseResult result, CancellationToken cancellationToken)
    {
        using var loggerFactory = CliLogging.Create();
        var runtimeOptions = ToRuntimeOptions(options) with { ListenSocket = CriEndpoint.Parse(options.Listen).SocketPath };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });

        CriServer server;
        try
        {
            server = await CriServer.StartAsync(runtimeOptions, loggerFactory, stop.Token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Runtime.Errors.RuntimeException or InvalidDataException)
        {
            await context.Error.WriteLineAsync($"nodeagent cri: {e.Message}");
            return ExitCodes.Failure;
        }

        await using (server)
        {
            await context.Error.WriteLineAsync($"nodeagent cri: serving CRI v1 on {options.Listen} (data dir {options.DataDir})");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                await context.Error.WriteLineAsync("nodeagent cri: shutting down");
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>The default registries.yaml is optional (an explicitly named one was checked when options were built).</summary>
    public static RuntimeOptions ToRuntimeOptions(NodeAgentOptions options) => new()
    {
        DataDir = options.DataDir,
        RunDir = options.RunDir,
        InsecureRegistries = options.InsecureRegistries,
        BridgeName = options.Bridge,
        PodCidr = options.PodCidr.ToString(),
        OciRuntimePath = options.OciRuntime,
        CniBinDirectory = options.CniBinDir,
        RegistryConfig = options.RegistryConfig == ConfigKeys.RegistryConfig.Default && !File.Exists(options.RegistryConfig) ? null : options.RegistryConfig,
        Version = BuildInfo.Version,
    };
}
