using System.Text.RegularExpressions;

namespace NodeAgent.Testing.Kubectl;

/// <summary>
/// Locates kubectl binaries: the default on PATH and the versioned ones (<c>kubectl.1.27</c> …)
/// that the Google Cloud SDK installs next to its version-dispatching <c>kubectl</c>.
/// </summary>
public static partial class KubectlBinaries
{
    public const string DefaultPath = "/usr/bin/kubectl";

    private static readonly string[] KnownSdkDirectories =
    [
        "/usr/lib/google-cloud-sdk/bin",
        "/usr/share/google-cloud-sdk/bin",
        "/opt/google-cloud-sdk/bin",
        "/snap/google-cloud-sdk/current/bin",
    ];

    /// <summary>The path of <c>kubectl.&lt;major.minor&gt;</c>, or null when that version is not installed.</summary>
    public static string? Find(string version)
    {
        var normalized = Normalize(version);
        return SearchDirectories()
            .Select(directory => Path.Combine(directory, "kubectl." + normalized))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Like <see cref="Find"/>, but a missing version is an error naming where we looked.</summary>
    public static string Require(string version)
        => Find(version) ?? throw new FileNotFoundException(
            $"kubectl {version} not found as kubectl.{Normalize(version)} in {string.Join(", ", SearchDirectories())}.");

    /// <summary>Every versioned binary found, keyed by "major.minor".</summary>
    public static IReadOnlyDictionary<string, string> FindAll()
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var directory in SearchDirectories())
        {
            foreach (var file in Directory.EnumerateFiles(directory, "kubectl.*"))
            {
                var match = VersionedName().Match(Path.GetFileName(file));
                if (match.Success)
                {
                    found.TryAdd(match.Groups[1].Value, file);
                }
            }
        }

        return found;
    }

    /// <summary>Accepts "1.27" or "v1.27"; anything else is a caller bug.</summary>
    public static string Normalize(string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var trimmed = version.TrimStart('v');
        return MajorMinor().IsMatch(trimmed)
            ? trimmed
            : throw new ArgumentException($"Expected a kubectl version like '1.27', got '{version}'.", nameof(version));
    }

    /// <summary>The SDK folder of the default kubectl (found through its symlink) first, then PATH, then known SDK folders.</summary>
    public static IReadOnlyList<string> SearchDirectories()
    {
        var directories = new List<string>();
        if (File.Exists(DefaultPath))
        {
            var target = File.ResolveLinkTarget(DefaultPath, returnFinalTarget: true)?.FullName ?? DefaultPath;
            directories.Add(Path.GetDirectoryName(target)!);
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        directories.AddRange(path.Split(':', StringSplitOptions.RemoveEmptyEntries));
        directories.AddRange(KnownSdkDirectories);
        return directories.Where(Directory.Exists).Distinct(StringComparer.Ordinal).ToList();
    }

    [GeneratedRegex(@"^kubectl\.(\d+\.\d+)$")]
    private static partial Regex VersionedName();

    [GeneratedRegex(@"^\d+\.\d+$")]
    private static partial Regex MajorMinor();
}
