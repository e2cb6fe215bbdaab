using NodeAgent.Api.Hosting;
using NodeAgent.Cli;

namespace NodeAgent;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        ModelSerialization.UseServedModelsContext();
        using var shutdown = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            shutdown.Cancel();
        };
        return await NodeAgentCli.RunAsync(args, CommandContext.FromProcess(), shutdown.Token);
    }
}
