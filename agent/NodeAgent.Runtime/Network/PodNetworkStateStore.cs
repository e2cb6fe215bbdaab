using System.Text.Json;
using System.Text.Json.Serialization;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network;

/// <summary>One JSON file per sandbox under <c>&lt;state-dir&gt;/sandboxes</c>, replaced atomically (write, fsync, rename).</summary>
internal sealed class PodNetworkStateStore
{
    private readonly string _directory;

    public PodNetworkStateStore(string stateDirectory)
    {
        _directory = Path.Combine(stateDirectory, "sandboxes");
    }

    public string PathFor(string sandboxId) => Path.Combine(_directory, sandboxId + ".json");

    public async Task<PodNetworkState?> ReadAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var path = PathFor(sandboxId);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, PodNetworkStateJson.Default.PodNetworkState)
                ?? throw new RuntimeException(RuntimeErrorKind.Internal, $"read network state of sandbox {sandboxId}: {path} is empty");
        }
        catch (JsonException e)
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"read network state of sandbox {sandboxId}: {path} is corrupt: {e.Message}", e);
        }
    }

    public async Task WriteAsync(PodNetworkState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(_directory);
        var path = PathFor(state.SandboxId);
        var temp = path + ".tmp";
        try
        {
            var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, state, PodNetworkStateJson.Default.PodNetworkState, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                // Survives a power loss too: IPAM allocations on disk would otherwise outlive their record.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            // A cancelled or failed write leaves the previous state (or none), never a stray temp file.
            File.Delete(temp);
            throw;
        }
    }

    public void Delete(string sandboxId)
    {
        File.Delete(PathFor(sandboxId));
        File.Delete(PathFor(sandboxId) + ".tmp");
    }
}

/// <summary>
/// The state file's serializer, generated at build time (Native AOT has no reflection-based serialization to fall back
/// on): indented, camelCase, enums as their names — the format files written by earlier versions have.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PodNetworkState))]
internal sealed partial class PodNetworkStateJson : JsonSerializerContext
{
}
