namespace NodeAgent.Testing.Leaks;

/// <summary>Files and directories carrying the prefix under the temp directory or caller-given roots.</summary>
public static class DirectoryProbe
{
    /// <summary>Only the top level of /tmp: tests create their dirs there and /tmp can be deep and busy.</summary>
    public static IReadOnlyList<string> FindTemp(string tempDirectory, string prefix)
        => DirectoryWalk.FindMatching(tempDirectory, prefix, maxDepth: 1, includeFiles: true);

    public static IReadOnlyList<string> FindUnder(IEnumerable<string> roots, string prefix, int maxDepth)
        => roots.Where(Directory.Exists)
            .SelectMany(root => DirectoryWalk.FindMatching(root, prefix, maxDepth, includeFiles: true))
            .ToList();
}
