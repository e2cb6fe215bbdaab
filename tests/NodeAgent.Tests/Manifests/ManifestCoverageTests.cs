using System.Reflection;

namespace NodeAgent.Tests.Manifests;

/// <summary>Every example in manifests/ is applied by some test and listed in manifests/README.md.</summary>
public sealed class ManifestCoverageTests
{
    private static readonly string[] Manifests = Directory.GetFiles(ManifestFiles.Directory, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Every_manifest_is_exercised_by_a_test_and_every_exercised_file_exists()
    {
        var exercised = typeof(ManifestCoverageTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetCustomAttributes<ExercisesManifestAttribute>())
            .Select(a => a.File)
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(Manifests);
        var unexercised = Manifests.Where(m => !exercised.Contains(m)).ToList();
        var missing = exercised.Where(e => !Manifests.Contains(e)).ToList();
        Assert.True(unexercised.Count == 0, "no test applies " + string.Join(", ", unexercised));
        Assert.True(missing.Count == 0, "tests name missing manifests " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_manifest_is_listed_in_the_readme()
    {
        var readme = File.ReadAllText(ManifestFiles.Path("README.md"));
        var unlisted = Manifests.Where(m => !readme.Contains($"[{m}]({m})", StringComparison.Ordinal)).ToList();
        Assert.True(unlisted.Count == 0, "manifests/README.md does not list " + string.Join(", ", unlisted));
    }
}
