using System.Globalization;
using NodeAgent.Runtime.Images.Store;

namespace NodeAgent.Cli;

/// <summary>The `images ls` table, crictl style: one row per tag (or one untagged row).</summary>
internal static class ImageTable
{
    private static readonly string[] Header = ["IMAGE", "TAG", "IMAGE ID", "SIZE"];

    public static string Render(IEnumerable<ImageRecord> images)
        => Render(images.Select(i => (i.Id, (IReadOnlyList<string>)i.RepoTags, (IReadOnlyList<string>)i.RepoDigests, i.Size)));

    public static string Render(IEnumerable<Cri.V1.Image> images)
        => Render(images.Select(i => (i.Id, (IReadOnlyList<string>)[.. i.RepoTags], (IReadOnlyList<string>)[.. i.RepoDigests], (long)i.Size)));

    public static string HumanSize(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return unit == 0 ? $"{bytes}B" : value.ToString(value < 10 ? "0.##" : "0.#", CultureInfo.InvariantCulture) + units[unit];
    }

    private static string Render(IEnumerable<(string Id, IReadOnlyList<string> Tags, IReadOnlyList<string> Digests, long Size)> images)
    {
        var rows = new List<string[]> { Header };
        foreach (var image in images)
        {
            var shortId = image.Id.Replace("sha256:", string.Empty, StringComparison.Ordinal)[..13];
            var names = image.Tags.Count > 0
                ? image.Tags.Select(t => SplitTag(t))
                : image.Digests.Take(1).Select(d => (d.Split('@')[0], "<none>"));
            foreach (var (repository, tag) in names)
            {
                rows.Add([repository, tag, shortId, HumanSize(image.Size)]);
            }
        }

        return TextTable.Render(rows);
    }

    private static (string Repository, string Tag) SplitTag(string reference)
    {
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? (reference[..colon], reference[(colon + 1)..]) : (reference, "<none>");
    }
}
