namespace NodeAgent.Testing.Leaks;

/// <summary>
/// Named network namespaces: the /run/netns pin files plus what <c>ip netns list</c> reports
/// (the two differ when a pin file lost its bind mount or a mount outlived its file).
/// </summary>
public static class NetworkNamespaceProbe
{
    public const string NetnsDirectory = "/run/netns";

    public static async Task<IReadOnlyList<string>> FindAsync(string prefix, CancellationToken cancellationToken)
    {
        var listed = NetnsListParser.Parse(await HostTool.RunAsync("ip", ["netns", "list"], cancellationToken));
        return Find(ListPinFiles(NetnsDirectory).Concat(listed), prefix);
    }

    public static IReadOnlyList<string> Find(IEnumerable<string> names, string prefix)
        => names.Where(n => PrefixMatch.Matches(n, prefix)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static List<string> ListPinFiles(string directory)
        => Directory.Exists(directory)
            ? Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().ToList()
            : [];
}
