using System.CommandLine;
using NodeAgent.Configuration;

namespace NodeAgent.Cli;

/// <summary><c>nodeagent images ls|pull|rm|import</c>: the image store's CLI (filled in with the ImageService).</summary>
internal static class ImagesCommand
{
    public static Command Create(CommandContext context)
    {
        var images = new Command("images", "Manage images in the local store");
        images.Subcommands.Add(Sub("ls", "List images", context));
        images.Subcommands.Add(WithArgument(Sub("pull", "Pull an image from a registry", context), "reference", "Image reference, e.g. docker.io/library/busybox:latest"));
        images.Subcommands.Add(WithArgument(Sub("rm", "Remove an image by tag, id or digest", context), "reference", "Image tag, id or digest"));
        images.Subcommands.Add(WithArgument(Sub("import", "Import an OCI layout, oci-archive or docker-save tarball", context), "file", "Path of the archive or layout"));
        return images;
    }

    private static Command Sub(string name, string description, CommandContext context)
        => ConfiguredCommand.Create(name, description, ConfigKeys.Images, context, ConfiguredCommand.NotImplemented($"images {name}"));

    private static Command WithArgument(Command command, string name, string description)
    {
        command.Arguments.Add(new Argument<string>(name) { Description = description });
        return command;
    }
}
