using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace NodeAgent.Runtime.Streaming;

/// <summary>
/// Single-use, short-lived tokens standing for one CRI streaming request (the kubelet's request
/// cache): the URL is the only credential, so tokens are 128 random bits, used at most once, and
/// forgotten after their lifetime.
/// </summary>
internal sealed class StreamingTokens(TimeProvider time, TimeSpan lifetime, int maxPending)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public string Insert(object request)
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }

        if (_entries.Count >= maxPending)
        {
            throw new Errors.RuntimeException(Errors.RuntimeErrorKind.Unavailable, $"too many pending streaming requests ({maxPending})");
        }

        var token = Base64Url(RandomNumberGenerator.GetBytes(16));
        _entries[token] = new Entry(request, now + lifetime);
        return token;
    }

    /// <summary>The request for <paramref name="token"/>, once; null when unknown, used or expired.</summary>
    public T? Consume<T>(string token)
        where T : class
        => _entries.TryRemove(token, out var entry) && entry.Expires > time.GetUtcNow() ? entry.Request as T : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record Entry(object Request, DateTimeOffset Expires);
}
