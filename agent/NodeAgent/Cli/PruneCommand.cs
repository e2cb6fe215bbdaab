using System.CommandLine;
using Grpc.Core;
using NodeAgent.Configuration;
using NodeAgent.Cri;
using NodeAgent.Cri.V1;

namespace NodeAgent.Cli;

/// <summary>
/// <c>nodeagent prune [--dry-run] [--all-images] [--container-runtime-endpoint unix://…]</c>: the node's
/// <c>docker system prune</c>, against the running CRI runtime (default <c>&lt;run-dir&gt;/cri.sock</c>): removes exited
/// containers, not-ready sandboxes and unused images (untagged ones, or all unused with --all-images).
/// --dry-run only prints the table of what would go.
/// </summary>
internal static class PruneCommand
{
    private static readonly IReadOnlyList<ConfigKey> Keys = [ConfigKeys.Config, ConfigKeys.RunDir, ConfigKeys.ContainerRuntimeEndpoint];

    public static Command Create(CommandContext context)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be removed; remove nothing" };
        var allImages = new Option<bool>("--all-images") { Description = "Remove every image no container uses, not only untagged ones" };
        var command = ConfiguredCommand.Create("prune", "Remove exited containers, not-ready sandboxes and unused images from the runtime", Keys, context,
            (options, ctx, result, ct) => PruneAsync(options, ctx, result.GetValue(dryRun), result.GetValue(allImages), ct));
        command.Options.Add(dryRun);
        command.Options.Add(allImages);
        return command;
    }

    private static async Task<int> PruneAsync(NodeAgentOptions options, CommandContext context, bool dryRun, bool allImages, CancellationToken ct)
    {
        var endpoint = options.ContainerRuntimeEndpoint ?? "unix://" + Path.Combine(options.RunDir, "cri.sock");
        try
        {
            using var client = CriClientFactory.Connect(endpoint);
            var containers = (await client.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: ct)).Containers;
            var sandboxes = (await client.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: ct)).Items;
            var images = (await client.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: ct)).Images;
            var items = PrunePlan.Select(containers, sandboxes, images, allImages);
            await context.Output.WriteAsync(PrunePlan.Render(items));
            if (dryRun)
            {
                await context.Output.WriteLineAsync($"Would remove {Summary(items)} (dry run: nothing removed)");
                return ExitCodes.Success;
            }

            foreach (var item in items)
            {
                await RemoveAsync(client, item, ct);
            }

            await context.Output.WriteLineAsync($"Removed {Summary(items)}");
            return ExitCodes.Success;
        }
        catch (RpcException e)
        {
            await context.Error.WriteLineAsync($"nodeagent prune: {endpoint}: {e.Status.Detail} ({e.StatusCode})");
            return ExitCodes.Failure;
        }
    }

    private static async Task RemoveAsync(CriClient client, PruneItem item, CancellationToken ct)
    {
        try
        {
            switch (item.Kind)
            {
                case "container":
                    await client.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = item.Id }, cancellationToken: ct);
                    break;
                case "sandbox":
                    await client.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = item.Id }, cancellationToken: ct);
                    await client.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = item.Id }, cancellationToken: ct);
                    break;
                default:
                    await client.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = item.Id } }, cancellationToken: ct);
                    break;
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Gone meanwhile (a sandbox took its containers along): what prune wanted.
        }
    }

    private static string Summary(IReadOnlyList<PruneItem> items)
    {
        var freed = items.Where(i => i.Size is not null).Aggregate(0UL, (sum, i) => sum + i.Size!.Value);
        return $"{items.Count(i => i.Kind == "container")} containers, {items.Count(i => i.Kind == "sandbox")} sandboxes, {items.Count(i => i.Kind == "image")} images ({ImageTable.HumanSize((long)freed)})";
    }
}
