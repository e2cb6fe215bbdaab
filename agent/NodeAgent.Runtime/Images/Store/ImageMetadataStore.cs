using System.Text.Json;
using System.Text.Json.Serialization;

namespace NodeAgent.Runtime.Images.Store;

/// <summary>
/// Image records, one JSON file per image under <c>images/metadata</c>, written atomically and held
/// in memory. Names (tags, repo digests) are unique: giving a tag to one image takes it from another.
/// </summary>
public sealed class ImageMetadataStore
{
    private readonly string _directory;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ImageRecord> _images = new(StringComparer.Ordinal);

    private ImageMetadataStore(string directory) => _directory = directory;

    public static async Task<ImageMetadataStore> OpenAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var store = new ImageMetadataStore(directory);
        foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
        {
            await using var stream = File.OpenRead(file);
            var record = await JsonSerializer.DeserializeAsync(stream, ImageStoreJsonContext.Default.ImageRecord, cancellationToken)
                ?? throw new InvalidDataException($"image record {file} is empty");
            store._images[record.Id] = record;
        }

        // Temp files of a write interrupted by a crash are never valid records.
        foreach (var temp in Directory.EnumerateFiles(directory, "*.tmp"))
        {
            File.Delete(temp);
        }

        return store;
    }

    public IReadOnlyList<ImageRecord> List()
    {
        lock (_gate)
        {
            return [.. _images.Values.OrderBy(i => i.Id, StringComparer.Ordinal)];
        }
    }

    public ImageRecord? Get(string id)
    {
        lock (_gate)
        {
            return _images.GetValueOrDefault(id);
        }
    }

    /// <summary>Finds by id (full or unique hex prefix of at least 12), tag or repo digest.</summary>
    public ImageRecord? Find(Func<ImageRecord, bool> predicate)
    {
        lock (_gate)
        {
            return _images.Values.FirstOrDefault(predicate);
        }
    }

    /// <summary>Stores <paramref name="record"/>, moving its names away from any other image.</summary>
    public async Task PutAsync(ImageRecord record, CancellationToken cancellationToken)
    {
        List<ImageRecord> changed;
        lock (_gate)
        {
            var names = record.RepoTags.Concat(record.RepoDigests).ToHashSet(StringComparer.Ordinal);
            changed = [];
            foreach (var other in _images.Values.Where(i => i.Id != record.Id).ToList())
            {
                if (other.RepoTags.Any(names.Contains) || other.RepoDigests.Any(names.Contains))
                {
                    var updated = other with
                    {
                        RepoTags = [.. other.RepoTags.Where(t => !names.Contains(t))],
                        RepoDigests = [.. other.RepoDigests.Where(d => !names.Contains(d))],
                    };
                    _images[other.Id] = updated;
                    changed.Add(updated);
                }
            }

            _images[record.Id] = record;
            changed.Add(record);
        }

        foreach (var image in changed)
        {
            await WriteAsync(image, cancellationToken);
        }
    }

    public Task DeleteAsync(string id)
    {
        lock (_gate)
        {
            _images.Remove(id);
        }

        File.Delete(PathOf(id));
        return Task.CompletedTask;
    }

    private async Task WriteAsync(ImageRecord record, CancellationToken cancellationToken)
    {
        var path = PathOf(record.Id);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            await JsonSerializer.SerializeAsync(stream, record, ImageStoreJsonContext.Default.ImageRecord, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private string PathOf(string id) => Path.Combine(_directory, Digests.Hex(id) + ".json");
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageRecord))]
internal sealed partial class ImageStoreJsonContext : JsonSerializerContext;
