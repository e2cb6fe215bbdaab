using Grpc.Core;
using NodeAgent.Configuration;
using NodeAgent.Cri;
using NodeAgent.Runtime;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Cli;

/// <summary>
/// Opens the image store for one CLI command: directly when nobody else holds the data dir,
/// otherwise through the running runtime's CRI socket. Domain errors become one-line messages.
/// </summary>
internal static class ImageStoreAccess
{
    public static async Task<int> RunAsync(
        NodeAgentOptions options,
        CommandContext context,
        string verb,
        Func<ImageServices, Task<int>> direct,
        Func<CriClient, Task<int>>? viaCri,
        CancellationToken cancellationToken)
    {
        var runtimeOptions = CriCommand.ToRuntimeOptions(options);
        try
        {
            RuntimeLock runtimeLock;
            try
            {
                runtimeLock = RuntimeLock.Acquire(runtimeOptions.Paths);
            }
            catch (RuntimeLockHeldException e)
            {
                if (viaCri is null)
                {
                    await context.Error.WriteLineAsync($"nodeagent images {verb}: {e.Message}; stop it first (this command needs the store to itself)");
                    return ExitCodes.Failure;
                }

                using var client = CriClientFactory.Connect("unix://" + Path.Combine(options.RunDir, "cri.sock"));
                return await viaCri(client);
            }

            using (runtimeLock)
            {
                using var loggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(_ => { });
                using var services = await RuntimeComposition.CreateImageServicesAsync(runtimeOptions, loggerFactory, cancellationToken);
                return await direct(services);
            }
        }
        catch (RuntimeException e)
        {
            await context.Error.WriteLineAsync($"nodeagent images {verb}: {e.Message}");
            return e.Kind is RuntimeErrorKind.Invalid ? ExitCodes.Usage : ExitCodes.Failure;
        }
        catch (RpcException e)
        {
            await context.Error.WriteLineAsync($"nodeagent images {verb}: {e.Status.Detail} ({e.StatusCode})");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (CategorizedError.TryGetKind(e, out _) || e is IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"nodeagent images {verb}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
