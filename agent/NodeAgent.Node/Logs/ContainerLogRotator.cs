using System.Globalization;
using System.IO.Compression;

namespace NodeAgent.Node.Logs;

/// <summary>
/// One container's log files, rotated the way kubelet's container log manager does: once the current file
/// (<c>&lt;restart&gt;.log</c>) reaches the size limit, rotated files beyond <c>maxFiles - 2</c> are deleted oldest first,
/// every rotated file but the newest is gzipped, the current one is renamed to <c>&lt;restart&gt;.log.20060102-150405</c>
/// and the runtime is asked to reopen it, which starts a new file at the original path. That leaves at most
/// <c>maxFiles</c> files. A failed reopen renames the file back so nothing is lost and the next round tries again.
/// </summary>
internal sealed class ContainerLogRotator(ContainerLogOptions options, TimeProvider time)
{
    /// <summary>Go's layout 20060102-150405, kubelet's suffix for rotated logs.</summary>
    internal const string TimestampFormat = "yyyyMMdd-HHmmss";
    internal const string CompressSuffix = ".gz";
    internal const string TempSuffix = ".tmp";

    /// <summary>Rotates <paramref name="logPath"/> if it is due; true when it was renamed and reopened.</summary>
    /// <param name="reopen">CRI ReopenContainerLog for the container writing the file.</param>
    public async Task<bool> RotateIfNeededAsync(string logPath, Func<CancellationToken, Task> reopen, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reopen);
        var current = new FileInfo(logPath);
        if (!current.Exists)
        {
            // A file lost to a crash between rename and reopen: kubelet asks the runtime for a new one.
            await reopen(ct).ConfigureAwait(false);
            return false;
        }

        if (current.Length < options.MaxSizeBytes)
        {
            return false;
        }

        CleanUp(logPath);
        RemoveExcess(logPath);
        await CompressAllButNewestAsync(logPath, ct).ConfigureAwait(false);
        return await RotateLatestAsync(logPath, reopen, ct).ConfigureAwait(false);
    }

    /// <summary>Rotated files of <paramref name="logPath"/>, oldest first (the timestamp suffix sorts by time).</summary>
    internal static List<string> RotatedFiles(string logPath)
    {
        var directory = Path.GetDirectoryName(logPath)!;
        var prefix = Path.GetFileName(logPath) + ".";
        // Filtered by hand: .NET's "0.log.*" pattern also matches "0.log" itself.
        return Directory.EnumerateFiles(directory)
            .Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal) && !f.EndsWith(TempSuffix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Leftovers of an interrupted compression: the half-written .tmp, or the original next to a finished .gz.</summary>
    private static void CleanUp(string logPath)
    {
        var directory = Path.GetDirectoryName(logPath)!;
        var prefix = Path.GetFileName(logPath) + ".";
        foreach (var temp in Directory.EnumerateFiles(directory).Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal) && f.EndsWith(TempSuffix, StringComparison.Ordinal)))
        {
            File.Delete(temp);
        }

        foreach (var rotated in RotatedFiles(logPath).Where(f => !f.EndsWith(CompressSuffix, StringComparison.Ordinal)))
        {
            if (File.Exists(rotated + CompressSuffix))
            {
                File.Delete(rotated);
            }
        }
    }

    /// <summary>Keeps <c>maxFiles - 2</c> rotated files: with the one about to be rotated and the new current one, maxFiles remain.</summary>
    private void RemoveExcess(string logPath)
    {
        var rotated = RotatedFiles(logPath);
        var keep = options.MaxFiles - 2;
        foreach (var old in rotated.Take(Math.Max(0, rotated.Count - keep)))
        {
            File.Delete(old);
        }
    }

    /// <summary>gzips every rotated file but the newest (which a reader following the log may still be draining).</summary>
    private static async Task CompressAllButNewestAsync(string logPath, CancellationToken ct)
    {
        var rotated = RotatedFiles(logPath);
        foreach (var file in rotated.Take(rotated.Count - 1).Where(f => !f.EndsWith(CompressSuffix, StringComparison.Ordinal)))
        {
            var temp = file + TempSuffix;
            var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                await using (target.ConfigureAwait(false))
                {
                    var gzip = new GZipStream(target, CompressionLevel.Optimal);
                    await using (gzip.ConfigureAwait(false))
                    {
                        await source.CopyToAsync(gzip, ct).ConfigureAwait(false);
                    }
                }
            }

            // The .gz appears complete or not at all; the original goes only once it exists.
            File.Move(temp, file + CompressSuffix, overwrite: true);
            File.Delete(file);
        }
    }

    private async Task<bool> RotateLatestAsync(string logPath, Func<CancellationToken, Task> reopen, CancellationToken ct)
    {
        var rotated = logPath + "." + time.GetLocalNow().ToString(TimestampFormat, CultureInfo.InvariantCulture);
        if (File.Exists(rotated) || File.Exists(rotated + CompressSuffix))
        {
            // Rotated already this second: renaming onto it would drop a file; the next round gets a new name.
            return false;
        }

        File.Move(logPath, rotated);
        try
        {
            await reopen(ct).ConfigureAwait(false);
        }
        catch
        {
            // As kubelet: put the file back so no output is orphaned and the next round retries. If the runtime did
            // start a new file after all, the rotated one stays as a valid rotation.
            if (!File.Exists(logPath))
            {
                File.Move(rotated, logPath);
            }

            throw;
        }

        return true;
    }
}
