using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Testing.Tests.Leaks;

/// <summary>The walk behind the cgroup, temp and extra-directory probes, on a throwaway tree (no root needed).</summary>
public class DirectoryWalkTests
{
    [Fact]
    public void Reports_matches_without_descending_into_them_and_stops_at_max_depth()
    {
        var prefix = TestIds.NewPrefix();
        using var root = new TempDirectory(TestIds.NewPrefix());
        Directory.CreateDirectory(root.Combine("a", prefix + "-pod", "nested-" + prefix));
        Directory.CreateDirectory(root.Combine("a", "b", "c", prefix + "-deep"));
        File.WriteAllText(root.Combine("a", prefix + ".json"), "{}");

        Assert.Equal([root.Combine("a", prefix + "-pod")], DirectoryWalk.FindMatching(root.Path, prefix, maxDepth: 2));
        Assert.Equal(
            [root.Combine("a", "b", "c", prefix + "-deep"), root.Combine("a", prefix + "-pod"), root.Combine("a", prefix + ".json")],
            DirectoryWalk.FindMatching(root.Path, prefix, maxDepth: 4, includeFiles: true));
    }

    [Fact]
    public void Does_not_follow_symlinks_out_of_the_tree()
    {
        var prefix = TestIds.NewPrefix();
        using var outside = new TempDirectory(TestIds.NewPrefix());
        using var root = new TempDirectory(TestIds.NewPrefix());
        Directory.CreateDirectory(Path.Combine(outside.Path, prefix));
        Directory.CreateSymbolicLink(root.Combine("link"), outside.Path);

        Assert.Empty(DirectoryWalk.FindMatching(root.Path, prefix, maxDepth: 3));
    }

    [Fact]
    public void Extra_directories_that_do_not_exist_are_ignored()
    {
        Assert.Empty(DirectoryProbe.FindUnder(["/nonexistent-" + TestIds.NewPrefix()], TestIds.NewPrefix(), maxDepth: 2));
    }
}
