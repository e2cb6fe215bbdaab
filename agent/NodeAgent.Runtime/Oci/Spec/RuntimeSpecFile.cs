using System.Text.Json;

namespace NodeAgent.Runtime.Oci.Spec;

/// <summary>Reads and writes a bundle's config.json.</summary>
public static class RuntimeSpecFile
{
    public const string FileName = "config.json";

    /// <summary>
    /// Writes beside the target and renames over it, so runc (or a restarted runtime) never sees
    /// half a spec.
    /// </summary>
    /// <remarks>
    /// No fsync: the spec is only read while its container lives, and no container outlives a
    /// power cut, so the page cache is durable enough (an fsync cost 1–10 ms of every pod start).
    /// </remarks>
    public static async Task WriteAsync(string path, RuntimeSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(spec);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, spec, RuntimeSpecJsonContext.Default.RuntimeSpec, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public static async Task<RuntimeSpec> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, RuntimeSpecJsonContext.Default.RuntimeSpec, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{path}: empty runtime spec");
        }
    }

    public static string Serialize(RuntimeSpec spec) => JsonSerializer.Serialize(spec, RuntimeSpecJsonContext.Default.RuntimeSpec);
}
