using System.Collections.Concurrent;

namespace NodeAgent.Runtime.Common;

/// <summary>
/// Runs at most one operation per key at a time; concurrent callers of the same key share its
/// result. The shared operation is not cancelled by one caller giving up; each caller's wait is.
/// </summary>
public sealed class KeyedSingleFlight<T>
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _inFlight = new(StringComparer.Ordinal);

    public Task<T> RunAsync(string key, Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        var lazy = _inFlight.GetOrAdd(key, k => new Lazy<Task<T>>(() => RunAndForgetAsync(k, operation)));
        return lazy.Value.WaitAsync(cancellationToken);
    }

    private async Task<T> RunAndForgetAsync(string key, Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }
}
