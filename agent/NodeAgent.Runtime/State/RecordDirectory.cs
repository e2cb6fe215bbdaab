using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NodeAgent.Runtime.State;

/// <summary>
/// One JSON record per object, in a directory per id (<c>ROOT/ID/FILE</c>), written atomically
/// (temp, rename) so a crash leaves the old or the new record, never half of one. A durable save
/// also fsyncs before the rename, so the record survives a power loss too. Each save writes its
/// own temp file, so two saves of one record at once never share (and collide on) a temp file:
/// the later rename wins.
/// The id's directory also holds the object's other files (bundle, rootfs mount point).
/// </summary>
internal sealed class RecordDirectory<T>(string root, string fileName, JsonTypeInfo<T> typeInfo)
    where T : class
{
    public string Root => root;

    public string DirectoryOf(string id) => Path.Combine(root, id);

    public async Task SaveAsync(string id, T record, bool durable, CancellationToken cancellationToken)
    {
        var directory = DirectoryOf(id);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await JsonSerializer.SerializeAsync(stream, record, typeInfo, cancellationToken);
                stream.Flush(flushToDisk: durable);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Every readable record; a directory without a record (a crash before the first save) is returned in <paramref name="orphans"/>.</summary>
    public List<T> LoadAll(List<string> orphans)
    {
        var records = new List<T>();
        if (!Directory.Exists(root))
        {
            return records;
        }

        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var path = Path.Combine(directory, fileName);
            T? record = null;
            try
            {
                record = File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), typeInfo) : null;
            }
            catch (JsonException)
            {
                record = null;
            }

            if (record is null)
            {
                orphans.Add(Path.GetFileName(directory));
            }
            else
            {
                records.Add(record);
            }
        }

        return records;
    }

    public void Delete(string id)
    {
        var directory = DirectoryOf(id);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
