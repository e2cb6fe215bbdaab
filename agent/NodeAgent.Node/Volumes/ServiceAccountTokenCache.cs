using System.Collections.Concurrent;

namespace NodeAgent.Node.Volumes;

/// <summary>A token for a pod's serviceAccountToken projection, as the TokenRequest API is asked for it.</summary>
public sealed record ServiceAccountTokenRequest(
    string Namespace, string ServiceAccount, string? Audience, long ExpirationSeconds, string PodName, string PodUid);

/// <summary>What the TokenRequest API answered: the token and when it expires.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset Expires);

/// <summary>
/// kubelet's token manager: one token per (pod, account, audience, lifetime), kept until 80 % of its lifetime has
/// passed or it is 24 h old, then replaced by a fresh one — so the projected file always holds a valid token while
/// the API is reachable, without asking for one on every sync.
/// </summary>
public sealed class ServiceAccountTokenCache(IPodObjectSource objects, TimeProvider time)
{
    private static readonly TimeSpan MaxTokenAge = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<ServiceAccountTokenRequest, (IssuedToken Token, DateTimeOffset Fetched)> _tokens = new();

    public async Task<string> GetAsync(ServiceAccountTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(request, out var cached) && !RequiresRefresh(cached.Token, cached.Fetched, request.ExpirationSeconds, now))
        {
            return cached.Token.Token;
        }

        IssuedToken issued;
        try
        {
            issued = await objects.RequestServiceAccountTokenAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && cached.Token is not null && now < cached.Token.Expires)
        {
            // The API is away for a moment: the old token is still valid, keep serving it (kubelet does the same).
            return cached.Token.Token;
        }

        _tokens[request] = (issued, now);
        return issued.Token;
    }

    /// <summary>Drops the tokens of a pod whose volumes were torn down.</summary>
    public void Forget(string podUid)
    {
        foreach (var key in _tokens.Keys.Where(k => k.PodUid == podUid))
        {
            _tokens.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// kubelet's rule: refresh once 80 % of the token's lifetime has passed, or after 24 h. The lifetime starts at
    /// expiry minus the requested seconds (the server may have issued a longer one); the fetch time bounds its age.
    /// </summary>
    public static bool RequiresRefresh(IssuedToken token, DateTimeOffset fetched, long expirationSeconds, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (now >= token.Expires)
        {
            return true;
        }

        var issued = token.Expires - TimeSpan.FromSeconds(expirationSeconds);
        if (issued > fetched)
        {
            issued = fetched;
        }

        var lifetime = token.Expires - issued;
        return now >= issued + (lifetime * 0.8) || now >= issued + MaxTokenAge;
    }
}
