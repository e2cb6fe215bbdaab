using NodeAgent.Cri.V1;

namespace NodeAgent.Cli;

/// <summary>One thing <c>nodeagent prune</c> removes: a container, a sandbox or an image.</summary>
internal sealed record PruneItem(string Kind, string Id, string Name, ulong? Size = null);

/// <summary>
/// What <c>nodeagent prune</c> removes from one listing of the runtime: exited containers, not-ready sandboxes, and
/// images no remaining container uses — only untagged (dangling) ones unless <c>allImages</c>.
/// </summary>
internal static class PrunePlan
{
    private static readonly string[] Header = ["TYPE", "ID", "NAME", "SIZE"];

    public static IReadOnlyList<PruneItem> Select(IReadOnlyCollection<Container> containers, IReadOnlyCollection<PodSandbox> sandboxes, IReadOnlyCollection<Image> images, bool allImages)
    {
        var exited = containers.Where(c => c.State == ContainerState.ContainerExited).ToList();
        var notReady = sandboxes.Where(s => s.State == PodSandboxState.SandboxNotready).ToList();
        var goneSandboxes = notReady.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);

        // Removing a sandbox removes its containers too, so only containers that stay keep an image in use.
        var staying = containers.Where(c => c.State != ContainerState.ContainerExited && !goneSandboxes.Contains(c.PodSandboxId));
        var referenced = staying.SelectMany(c => new[] { c.ImageRef, c.Image?.Image }).Where(r => !string.IsNullOrEmpty(r)).ToHashSet(StringComparer.Ordinal);
        var unused = images
            .Where(i => !i.Pinned && !referenced.Contains(i.Id) && !i.RepoTags.Any(referenced.Contains) && !i.RepoDigests.Any(referenced.Contains))
            .Where(i => allImages || i.RepoTags.Count == 0);

        return
        [
            .. exited.Select(c => new PruneItem("container", c.Id, $"{c.Metadata?.Name} ({c.Labels.GetValueOrDefault("io.kubernetes.pod.namespace", "-")}/{c.Labels.GetValueOrDefault("io.kubernetes.pod.name", "-")})")),
            .. notReady.Select(s => new PruneItem("sandbox", s.Id, $"{s.Metadata?.Namespace}/{s.Metadata?.Name}")),
            .. unused.Select(i => new PruneItem("image", i.Id, i.RepoTags.FirstOrDefault() ?? i.RepoDigests.FirstOrDefault() ?? "<none>", i.Size)),
        ];
    }

    /// <summary>A crictl-style table: TYPE, ID (13 characters), NAME, SIZE.</summary>
    public static string Render(IReadOnlyList<PruneItem> items)
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(items.Select(i => new[]
        {
            i.Kind,
            ShortId(i.Id),
            i.Name,
            i.Size is { } size ? ImageTable.HumanSize((long)size) : string.Empty,
        }));
        return TextTable.Render(rows);
    }

    private static string ShortId(string id)
    {
        var bare = id.Replace("sha256:", string.Empty, StringComparison.Ordinal);
        return bare.Length > 13 ? bare[..13] : bare;
    }
}
