using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images.Distribution;
using NodeAgent.Runtime.Images.Pull;
using NodeAgent.Runtime.Images.Store;

namespace NodeAgent.Runtime.Images.Import;

/// <summary>
/// <c>nodeagent images import</c>: every tagged image of an OCI layout, oci-archive or docker save
/// tarball goes through the same verified pull path as a registry pull (digests checked, layers
/// unpacked once), so a machine without a registry can still run images.
/// </summary>
public sealed class ImageImporter(Func<IRegistryClient, ImagePuller> pullerFor, string scratchRoot)
{
    /// <summary>Registry name given to layout tags that are not full references ("latest", "v1").</summary>
    public const string LocalRegistry = "import.local";

    public async Task<IReadOnlyList<ImageRecord>> ImportAsync(string path, string? name, IProgress<PullProgress>? progress, CancellationToken cancellationToken)
    {
        // Extract beside the store (same filesystem, cleaned on failure), not into a small /tmp.
        var scratch = Directory.CreateDirectory(Path.Combine(scratchRoot, "import-" + Guid.NewGuid().ToString("N")));
        try
        {
            var layout = await ImageArchive.ToLayoutAsync(path, scratch.FullName, cancellationToken);
            var source = new OciLayoutRegistry(layout);
            var tagged = await source.TaggedAsync(cancellationToken);
            if (tagged.Count == 0)
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"{path}: no tagged image inside (index.json entries need an org.opencontainers.image.ref.name annotation)");
            }

            if (name is not null && tagged.Count != 1)
            {
                throw new RuntimeException(RuntimeErrorKind.Invalid, $"{path}: --name needs exactly one image, the archive has {tagged.Count}");
            }

            var records = new List<ImageRecord>();
            foreach (var (tag, descriptor) in tagged)
            {
                var target = ParseName(name ?? tag, Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(path)));
                var puller = pullerFor(new OciLayoutRegistry(layout, descriptor));
                var pulled = await puller.PullAsync(target, new PullOptions { Progress = progress }, cancellationToken);
                records.Add(pulled);
            }

            return records;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static ImageReference ParseName(string tagOrReference, string stem)
    {
        if (tagOrReference.Contains(':', StringComparison.Ordinal) || tagOrReference.Contains('/', StringComparison.Ordinal))
        {
            return ImageReference.TryParse(tagOrReference, out var reference)
                ? reference
                : throw new RuntimeException(RuntimeErrorKind.Invalid, $"'{tagOrReference}' is not a valid image reference");
        }

        var repository = new string([.. stem.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-')]).Trim('-', '.', '_');
        return new ImageReference(LocalRegistry, repository.Length == 0 ? "image" : repository, tagOrReference, null);
    }
}
