using System.Text;
using k8s.Models;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Streams;

namespace NodeAgent.Node.Pods;

/// <summary>
/// A container's termination message, as kubelet does it: an empty host file under the pod's directory is mounted at
/// terminationMessagePath (default /dev/termination-log); once the container exits its first 4096 bytes become
/// state.terminated.message. With FallbackToLogsOnError an empty file and a non-zero exit take the log's tail instead.
/// </summary>
public static class TerminationMessage
{
    public const int MaxBytes = 4096;

    /// <summary>kubelet's fallback: at most the last 80 lines and 2048 bytes of the log.</summary>
    public const int FallbackLogLines = 80;

    public const int FallbackLogBytes = 2048;

    public const string DefaultPath = "/dev/termination-log";

    /// <summary>The host file of one container attempt: <c>&lt;PodsRoot&gt;/&lt;uid&gt;/containers/&lt;name&gt;/&lt;attempt&gt;</c>.</summary>
    public static string HostPath(NodeOptions options, string podUid, string containerName, uint attempt)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Path.Combine(options.PodsRoot, podUid, "containers", containerName, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Creates the attempt's empty, world-writable file (a non-root container must be able to write it) and returns its mount; null when the path is empty.</summary>
    public static Mount? Prepare(NodeOptions options, V1Pod pod, V1Container container, uint attempt)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        var containerPath = container.TerminationMessagePath ?? DefaultPath;
        if (containerPath.Length == 0)
        {
            return null;
        }

        var hostPath = HostPath(options, pod.Metadata.Uid, container.Name, attempt);
        Directory.CreateDirectory(Path.GetDirectoryName(hostPath)!);
        File.WriteAllBytes(hostPath, []);
        File.SetUnixFileMode(hostPath, (UnixFileMode)0b110_110_110);
        return new Mount { ContainerPath = containerPath, HostPath = hostPath };
    }

    /// <summary>The message of an exited container, or null when there is none.</summary>
    public static string? Read(NodeOptions options, ContainerStatus exited, V1Container container)
    {
        ArgumentNullException.ThrowIfNull(exited);
        ArgumentNullException.ThrowIfNull(container);
        if (!exited.Labels.TryGetValue(PodLabels.PodUid, out var uid))
        {
            return null;
        }

        var message = ReadHead(HostPath(options, uid, container.Name, exited.Metadata.Attempt), MaxBytes);
        if (string.IsNullOrEmpty(message) && exited.ExitCode != 0 && container.TerminationMessagePolicy == "FallbackToLogsOnError")
        {
            message = LogTail(exited.LogPath, FallbackLogLines, FallbackLogBytes);
        }

        return string.IsNullOrEmpty(message) ? null : message;
    }

    private static string? ReadHead(string path, int maxBytes)
    {
        try
        {
            using var file = File.OpenRead(path);
            var buffer = new byte[maxBytes];
            var read = file.ReadAtLeast(buffer, maxBytes, throwOnEndOfStream: false);
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The last lines of a CRI-format log (<c>timestamp stream P|F text</c>), partial lines joined, prefixes cut.</summary>
    internal static string? LogTail(string logPath, int maxLines, int maxBytes)
    {
        if (string.IsNullOrEmpty(logPath) || !File.Exists(logPath))
        {
            return null;
        }

        // Enough of the file's end for maxLines short lines; the CRI prefix roughly doubles a short line.
        const int window = 64 * 1024;
        string text;
        try
        {
            using var file = File.OpenRead(logPath);
            var start = Math.Max(0, file.Length - window);
            file.Seek(start, SeekOrigin.Begin);
            using var reader = new StreamReader(file, Encoding.UTF8);
            text = reader.ReadToEnd();
            if (start > 0 && text.IndexOf('\n', StringComparison.Ordinal) is var cut and >= 0)
            {
                text = text[(cut + 1)..];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var lines = new List<string>();
        var partial = new StringBuilder();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (CriLogRecord.Parse(Encoding.UTF8.GetBytes(line)) is not { } record)
            {
                continue;
            }

            partial.Append(Encoding.UTF8.GetString(record.Content.Span));
            if (!record.Partial)
            {
                lines.Add(partial.ToString());
                partial.Clear();
            }
        }

        var tail = string.Join('\n', lines.TakeLast(maxLines)) + (lines.Count > 0 ? "\n" : string.Empty);
        var bytes = Encoding.UTF8.GetBytes(tail);
        return bytes.Length <= maxBytes ? tail : Encoding.UTF8.GetString(bytes, bytes.Length - maxBytes, maxBytes);
    }
}
