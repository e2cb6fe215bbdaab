using System.Collections.Concurrent;
using System.Globalization;

namespace NodeAgent.Runtime.Oci;

/// <summary>
/// Reads and waits for the exit files conmon writes (one per container id, holding the exit code).
/// Waiting uses inotify (FileSystemWatcher), and re-reads the file after subscribing so an exit
/// written in between is not missed.
/// </summary>
internal sealed class ExitWatcher : IDisposable
{
    private readonly string _directory;
    private readonly FileSystemWatcher _watcher;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ContainerExit>> _waiters = new(StringComparer.Ordinal);

    public ExitWatcher(string directory)
    {
        _directory = directory;
        _watcher = new FileSystemWatcher(directory) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
        _watcher.Created += (_, e) => Notify(e.Name);
        _watcher.Changed += (_, e) => Notify(e.Name);
        _watcher.Renamed += (_, e) => Notify(e.Name);
        _watcher.EnableRaisingEvents = true;
    }

    public ContainerExit? Read(string id)
    {
        var path = Path.Combine(_directory, id);
        // Every relist asks this for each running container, whose exit file does not exist yet: a stat answers that
        // without the cost of a thrown FileNotFoundException (5 % of the server's CPU in the startup bench).
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var text = File.ReadAllText(path).Trim();
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
                ? new ContainerExit(code, File.GetLastWriteTimeUtc(path))
                : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<ContainerExit> WaitAsync(string id, CancellationToken cancellationToken)
    {
        var waiter = _waiters.GetOrAdd(id, _ => new TaskCompletionSource<ContainerExit>(TaskCreationOptions.RunContinuationsAsynchronously));
        Notify(id);
        return await waiter.Task.WaitAsync(cancellationToken);
    }

    public void Remove(string id)
    {
        _waiters.TryRemove(id, out _);
        File.Delete(Path.Combine(_directory, id));
    }

    public void Dispose() => _watcher.Dispose();

    private void Notify(string? id)
    {
        if (id is null || !_waiters.TryGetValue(id, out var waiter) || Read(id) is not { } exit)
        {
            return;
        }

        if (waiter.TrySetResult(exit))
        {
            _waiters.TryRemove(new KeyValuePair<string, TaskCompletionSource<ContainerExit>>(id, waiter));
        }
    }
}
