using System.CommandLine;
using NodeAgent.Api.Security;
using NodeAgent.Configuration;

namespace NodeAgent.Cli;

/// <summary><c>nodeagent kubeconfig</c>: prints the admin kubeconfig from the CA and token a server stored in the data dir.</summary>
internal static class KubeconfigCommand
{
    public static Command Create(CommandContext context)
        => ConfiguredCommand.Create(
            "kubeconfig", "Print the admin kubeconfig of a local server",
            ConfigKeys.KubeconfigCommand, context, RunAsync);

    private static async Task<int> RunAsync(NodeAgentOptions options, CommandContext context, ParseResult result, CancellationToken cancellationToken)
    {
        var paths = new SecurityPaths(options.DataDir);
        try
        {
            using var authority = ClusterCertificates.LoadAuthorityCertificate(paths);
            var token = AdminToken.Load(paths.AdminToken);
            if (authority is null || token is null)
            {
                await context.Error.WriteLineAsync(
                    $"nodeagent kubeconfig: no admin credentials in {options.DataDir} (start 'nodeagent server --data-dir {options.DataDir}' once first)");
                return ExitCodes.Failure;
            }

            var server = AdminKubeconfig.ServerUri(options.ApiAddress, options.ApiPort);
            await context.Output.WriteAsync(AdminKubeconfig.WithToken(server, authority, token).AsMemory(), cancellationToken);
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            await context.Error.WriteLineAsync($"nodeagent kubeconfig: cannot read the credentials in {options.DataDir}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
