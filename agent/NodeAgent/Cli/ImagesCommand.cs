using System.CommandLine;
using NodeAgent.Configuration;
using NodeAgent.Runtime;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images.Pull;

namespace NodeAgent.Cli;

/// <summary>
/// <c>nodeagent images ls|pull|rm|import</c>: the image store's CLI, over the same code as the CRI
/// ImageService. It opens the store directly; while <c>nodeagent cri</c> owns the data dir,
/// ls/pull/rm go through its CRI socket instead.
/// </summary>
internal static class ImagesCommand
{
    public static Command Create(CommandContext context)
    {
        var images = new Command("images", "Manage images in the local store");
        images.Subcommands.Add(ConfiguredCommand.Create("ls", "List images", ConfigKeys.Images, context, ListAsync));

        var pullRef = new Argument<string>("reference") { Description = "Image reference, e.g. docker.io/library/busybox:latest" };
        var pull = ConfiguredCommand.Create("pull", "Pull an image from a registry", ConfigKeys.Images, context,
            (options, ctx, result, ct) => PullAsync(options, ctx, result.GetValue(pullRef)!, ct));
        pull.Arguments.Add(pullRef);
        images.Subcommands.Add(pull);

        var rmRefs = new Argument<string[]>("reference") { Description = "Image tag, id or digest", Arity = ArgumentArity.OneOrMore };
        var rm = ConfiguredCommand.Create("rm", "Remove images by tag, id or digest", ConfigKeys.Images, context,
            (options, ctx, result, ct) => RemoveAsync(options, ctx, result.GetValue(rmRefs)!, ct));
        rm.Arguments.Add(rmRefs);
        images.Subcommands.Add(rm);

        var importFile = new Argument<string>("file") { Description = "OCI layout directory, oci-archive or docker save tarball" };
        var importName = new Option<string>("--name") { Description = "Name for the image (when the archive holds exactly one)", HelpName = "REF" };
        var import = ConfiguredCommand.Create("import", "Import an OCI layout, oci-archive or docker-save tarball", ConfigKeys.Images, context,
            (options, ctx, result, ct) => ImportAsync(options, ctx, result.GetValue(importFile)!, result.GetValue(importName), ct));
        import.Arguments.Add(importFile);
        import.Options.Add(importName);
        images.Subcommands.Add(import);
        return images;
    }

    private static Task<int> ListAsync(NodeAgentOptions options, CommandContext context, ParseResult result, CancellationToken ct)
        => ImageStoreAccess.RunAsync(options, context, "ls",
            direct: async services =>
            {
                await context.Output.WriteAsync(ImageTable.Render(services.Manager.List()));
                return ExitCodes.Success;
            },
            viaCri: async client =>
            {
                var list = await client.Images.ListImagesAsync(new Cri.V1.ListImagesRequest(), cancellationToken: ct);
                await context.Output.WriteAsync(ImageTable.Render(list.Images));
                return ExitCodes.Success;
            },
            cancellationToken: ct);

    private static Task<int> PullAsync(NodeAgentOptions options, CommandContext context, string reference, CancellationToken ct)
        => ImageStoreAccess.RunAsync(options, context, "pull",
            direct: async services =>
            {
                using var bar = new ProgressBar(context.Error, TimeProvider.System);
                var image = await services.Manager.PullAsync(reference, new PullOptions { Progress = bar }, ct);
                bar.Complete();
                await context.Output.WriteLineAsync(image.Id);
                return ExitCodes.Success;
            },
            viaCri: async client =>
            {
                var pulled = await client.Images.PullImageAsync(new Cri.V1.PullImageRequest { Image = new Cri.V1.ImageSpec { Image = reference } }, cancellationToken: ct);
                await context.Output.WriteLineAsync(pulled.ImageRef);
                return ExitCodes.Success;
            },
            cancellationToken: ct);

    private static Task<int> RemoveAsync(NodeAgentOptions options, CommandContext context, string[] references, CancellationToken ct)
        => ImageStoreAccess.RunAsync(options, context, "rm",
            direct: async services =>
            {
                var status = ExitCodes.Success;
                foreach (var reference in references)
                {
                    if (services.Manager.Find(reference) is null)
                    {
                        await context.Error.WriteLineAsync($"nodeagent images rm: no such image: {reference}");
                        status = ExitCodes.Failure;
                        continue;
                    }

                    await services.Manager.RemoveAsync(reference, ct);
                    await context.Output.WriteLineAsync($"Deleted: {reference}");
                }

                return status;
            },
            viaCri: async client =>
            {
                foreach (var reference in references)
                {
                    await client.Images.RemoveImageAsync(new Cri.V1.RemoveImageRequest { Image = new Cri.V1.ImageSpec { Image = reference } }, cancellationToken: ct);
                    await context.Output.WriteLineAsync($"Deleted: {reference}");
                }

                return ExitCodes.Success;
            },
            cancellationToken: ct);

    private static Task<int> ImportAsync(NodeAgentOptions options, CommandContext context, string file, string? name, CancellationToken ct)
        => ImageStoreAccess.RunAsync(options, context, "import",
            direct: async services =>
            {
                using var bar = new ProgressBar(context.Error, TimeProvider.System);
                var images = await services.Importer.ImportAsync(Path.GetFullPath(file), name, bar, ct);
                bar.Complete();
                foreach (var image in images)
                {
                    await context.Output.WriteLineAsync($"{string.Join(",", image.RepoTags)} {image.Id}");
                }

                return ExitCodes.Success;
            },
            viaCri: null,
            cancellationToken: ct);
}
