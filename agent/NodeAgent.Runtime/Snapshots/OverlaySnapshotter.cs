using NodeAgent.Runtime.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images;

namespace NodeAgent.Runtime.Snapshots;

/// <summary>
/// <see cref="ISnapshotter"/> on overlayfs. Layout under the root (all state is on disk, nothing in memory):
/// <c>layers/&lt;chain-hex&gt;/{fs,parent}</c> — read-only lower dirs, published by one rename;
/// <c>active/&lt;key&gt;/{upper,work,snapshot.json}</c> — a container's writable layer;
/// <c>tmp/&lt;purpose&gt;-&lt;pid&gt;-&lt;random&gt;</c> — staging and trash, cleared at start when their process is gone.
/// </summary>
public sealed partial class OverlaySnapshotter : ISnapshotter
{
    /// <summary>mount(2) copies at most one page (4096 bytes) of options, including the closing NUL.</summary>
    public const int MaxMountDataLength = 4095;

    private const int MaxChainLength = 1000;
    private const uint DirectoryMode = 0x1ED; // 0755: the mounted root's mode comes from the upper dir
    private const string RecordFile = "snapshot.json";

    private readonly string _layers;
    private readonly string _active;
    private readonly string _tmp;
    private readonly KeyedLock _commits = new();

    // Guards every check-then-publish/remove step; those are short and synchronous.
    private readonly Lock _metadata = new();

    public OverlaySnapshotter(string root)
    {
        Root = Path.GetFullPath(root).TrimEnd('/');
        if (Root.AsSpan().IndexOfAny(":,") >= 0)
        {
            throw new ArgumentException($"snapshot root '{Root}' must not contain ':' or ',' (they separate overlay mount options)", nameof(root));
        }

        _layers = Path.Combine(Root, "layers");
        _active = Path.Combine(Root, "active");
        _tmp = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(_layers);
        Directory.CreateDirectory(_active);
        Directory.CreateDirectory(_tmp);
        RemoveAbandonedTemporaries();
    }

    public string Root { get; }

    public bool LayerExists(string chainId) => Digests.IsValid(chainId) && Directory.Exists(LayerDirectory(chainId));

    /// <summary>The read-only tree of a committed layer (its overlay lowerdir).</summary>
    public string LayerFileSystem(string chainId) => Path.Combine(LayerDirectory(chainId), "fs");

    public async Task CommitLayerAsync(string chainId, string? parentChainId, Func<string, CancellationToken, Task> fill, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fill);
        _ = Digests.Hex(chainId);
        if (parentChainId is not null && (Digests.Hex(parentChainId) == Digests.Hex(chainId)))
        {
            throw new ArgumentException($"layer {chainId} cannot be its own parent", nameof(parentChainId));
        }

        using var hold = await _commits.AcquireAsync(chainId, cancellationToken).ConfigureAwait(false);
        if (LayerExists(chainId))
        {
            return; // a concurrent caller (or an earlier run) already filled it
        }

        // The parent is checked when publishing, not now: a layer may be filled while its parent is still being filled.
        var staging = NewTemporary("layer");
        try
        {
            var fs = Path.Combine(staging, "fs");
            CreateDirectory(fs);
            await fill(fs, cancellationToken).ConfigureAwait(false);
            if (parentChainId is not null)
            {
                await File.WriteAllTextAsync(Path.Combine(staging, "parent"), parentChainId, cancellationToken).ConfigureAwait(false);
            }

            lock (_metadata)
            {
                RequireParent(chainId, parentChainId);
                var target = LayerDirectory(chainId);
                if (Libc.Rename(staging, target) != 0)
                {
                    var errno = Libc.LastError;
                    if (errno is not (Libc.EExist or Libc.ENotEmpty))
                    {
                        throw Libc.Error("rename", target, errno);
                    }

                    // Another process published the same chain ID first: same content, keep theirs.
                }
            }
        }
        finally
        {
            DeleteTree(staging);
        }
    }

    public Task<IReadOnlyList<MountSpec>> PrepareAsync(string key, string topChainId, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        _ = Digests.Hex(topChainId);
        lock (_metadata)
        {
            var directory = ActiveDirectory(key);
            if (Directory.Exists(directory))
            {
                var existing = ReadRecord(key);
                if (existing.TopChainId == topChainId)
                {
                    return Task.FromResult(MountsOf(key, existing)); // a retried prepare gets the same snapshot
                }

                throw new RuntimeException(RuntimeErrorKind.AlreadyExists, $"snapshot {key} already exists over layer {existing.TopChainId}");
            }

            var mounts = OverlayMounts(ReadChain(topChainId, strict: true), directory);
            var staging = NewTemporary("active");
            try
            {
                CreateDirectory(Path.Combine(staging, "upper"));
                CreateDirectory(Path.Combine(staging, "work"));
                File.WriteAllBytes(
                    Path.Combine(staging, RecordFile),
                    JsonSerializer.SerializeToUtf8Bytes(new ActiveSnapshotRecord(key, topChainId), SnapshotJsonContext.Default.ActiveSnapshotRecord));
                if (Libc.Rename(staging, directory) != 0)
                {
                    throw Libc.Error("rename", directory, Libc.LastError);
                }
            }
            finally
            {
                DeleteTree(staging);
            }

            return Task.FromResult(mounts);
        }
    }

    public Task<IReadOnlyList<MountSpec>> MountsAsync(string key, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        lock (_metadata)
        {
            if (!Directory.Exists(ActiveDirectory(key)))
            {
                throw new RuntimeException(RuntimeErrorKind.NotFound, $"snapshot {key} not found");
            }

            return Task.FromResult(MountsOf(key, ReadRecord(key)));
        }
    }

    public Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        string? trash;
        lock (_metadata)
        {
            trash = MoveToTrash(ActiveDirectory(key));
        }

        DeleteTree(trash);
        return Task.CompletedTask;
    }

    public Task RemoveLayerAsync(string chainId, CancellationToken cancellationToken)
    {
        _ = Digests.Hex(chainId);
        string? trash;
        lock (_metadata)
        {
            if (!LayerExists(chainId))
            {
                return Task.CompletedTask;
            }

            foreach (var child in Directory.EnumerateDirectories(_layers))
            {
                var parentFile = Path.Combine(child, "parent");
                if (File.Exists(parentFile) && File.ReadAllText(parentFile).Trim() == chainId)
                {
                    throw new InvalidOperationException($"layer {chainId} is the parent of layer {Digests.Sha256Prefix}{Path.GetFileName(child)}");
                }
            }

            foreach (var (key, chain) in ActiveChains())
            {
                if (chain.Contains(chainId))
                {
                    throw new InvalidOperationException($"layer {chainId} is used by snapshot {key}");
                }
            }

            trash = MoveToTrash(LayerDirectory(chainId));
        }

        DeleteTree(trash);
        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<string>> LayersInUseAsync(CancellationToken cancellationToken)
    {
        lock (_metadata)
        {
            IReadOnlySet<string> used = ActiveChains().SelectMany(a => a.Chain).ToHashSet(StringComparer.Ordinal);
            return Task.FromResult(used);
        }
    }

    public Task<SnapshotUsage> UsageAsync(CancellationToken cancellationToken)
        => Task.Run(() => SnapshotDiskUsage.Measure(Root, cancellationToken), cancellationToken);

    public Task<SnapshotUsage> ActiveUsageAsync(string key, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        return Task.Run(() => SnapshotDiskUsage.Measure(Path.Combine(ActiveDirectory(key), "upper"), cancellationToken), cancellationToken);
    }

    private IReadOnlyList<MountSpec> MountsOf(string key, ActiveSnapshotRecord record)
        => OverlayMounts(ReadChain(record.TopChainId, strict: true), ActiveDirectory(key));

    /// <summary>One overlay mount, top layer first in lowerdir — also for a single-layer chain.</summary>
    private IReadOnlyList<MountSpec> OverlayMounts(List<string> chain, string activeDirectory)
    {
        string[] options =
        [
            "lowerdir=" + string.Join(':', chain.Select(LayerFileSystem)),
            "upperdir=" + Path.Combine(activeDirectory, "upper"),
            "workdir=" + Path.Combine(activeDirectory, "work"),
        ];
        var length = options.Sum(o => o.Length) + options.Length - 1;
        if (length > MaxMountDataLength)
        {
            throw new RuntimeException(
                RuntimeErrorKind.FailedPrecondition,
                $"overlay mount options for {chain.Count} layers are {length} bytes, over mount(2)'s {MaxMountDataLength}-byte limit; "
                + $"use a shorter data dir than '{Root}' or an image with fewer layers");
        }

        return [new MountSpec("overlay", "overlay", options)];
    }

    /// <summary>The chain from <paramref name="top"/> down to its base layer. Strict: every layer must exist.</summary>
    private List<string> ReadChain(string top, bool strict)
    {
        var chain = new List<string>();
        for (string? id = top; id is not null; id = ReadParent(id))
        {
            if (!LayerExists(id))
            {
                if (!strict)
                {
                    break;
                }

                throw new RuntimeException(
                    RuntimeErrorKind.NotFound,
                    chain.Count == 0 ? $"layer {id} not found" : $"layer {id} (below {chain[^1]}) not found");
            }

            if (chain.Count >= MaxChainLength || chain.Contains(id))
            {
                throw new RuntimeException(RuntimeErrorKind.Internal, $"layer chain of {top} loops or exceeds {MaxChainLength} layers");
            }

            chain.Add(id);
        }

        return chain;
    }

    private string? ReadParent(string chainId)
    {
        var file = Path.Combine(LayerDirectory(chainId), "parent");
        if (!File.Exists(file))
        {
            return null;
        }

        var parent = File.ReadAllText(file).Trim();
        return Digests.IsValid(parent) ? parent : throw new RuntimeException(RuntimeErrorKind.Internal, $"layer {chainId} names an invalid parent '{parent}'");
    }

    private IEnumerable<(string Key, List<string> Chain)> ActiveChains()
    {
        foreach (var directory in Directory.EnumerateDirectories(_active))
        {
            var key = Path.GetFileName(directory);
            yield return (key, ReadChain(ReadRecord(key).TopChainId, strict: false));
        }
    }

    private ActiveSnapshotRecord ReadRecord(string key)
        => JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(ActiveDirectory(key), RecordFile)), SnapshotJsonContext.Default.ActiveSnapshotRecord)
            ?? throw new RuntimeException(RuntimeErrorKind.Internal, $"snapshot {key} has an empty {RecordFile}");

    private void RequireParent(string chainId, string? parentChainId)
    {
        if (parentChainId is not null && !LayerExists(parentChainId))
        {
            throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"cannot commit layer {chainId}: parent layer {parentChainId} does not exist");
        }
    }

    /// <summary>Renames a directory into tmp/ (so it vanishes atomically) and returns the new path, or null if it did not exist.</summary>
    private string? MoveToTrash(string directory)
    {
        var trash = NewTemporary("trash");
        if (Libc.Rename(directory, trash) == 0)
        {
            return trash;
        }

        var errno = Libc.LastError;
        return errno == Libc.ENoEnt ? null : throw Libc.Error("rename", directory, errno);
    }

    private string NewTemporary(string purpose)
        => Path.Combine(_tmp, string.Create(CultureInfo.InvariantCulture, $"{purpose}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}"));

    /// <summary>Staging and trash left by a process that is gone (crashed mid-commit or mid-remove).</summary>
    private void RemoveAbandonedTemporaries()
    {
        foreach (var entry in Directory.EnumerateDirectories(_tmp))
        {
            var parts = Path.GetFileName(entry).Split('-');
            if (parts.Length == 3
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId
                && !Directory.Exists(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}")))
            {
                DeleteTree(entry);
            }
        }
    }

    private static void CreateDirectory(string path)
    {
        Directory.CreateDirectory(path);
        if (Libc.Chmod(path, DirectoryMode) != 0)
        {
            throw Libc.Error("chmod", path, Libc.LastError);
        }
    }

    private static void DeleteTree(string? path)
    {
        try
        {
            if (path is not null && Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: cleanup treats NotFound as success.
        }
    }

    private static void ValidateKey(string key)
    {
        if (key is null || !KeyPattern().IsMatch(key))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"invalid snapshot key '{key}' (letters, digits, '_', '.', '-'; at most 128)");
        }
    }

    private string LayerDirectory(string chainId) => Path.Combine(_layers, Digests.Hex(chainId));

    private string ActiveDirectory(string key) => Path.Combine(_active, key);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex KeyPattern();
}
