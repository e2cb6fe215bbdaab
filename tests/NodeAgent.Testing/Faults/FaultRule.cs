namespace NodeAgent.Testing.Faults;

/// <summary>What the fault proxy does to a matching request.</summary>
public enum FaultKind
{
    /// <summary>Answer 503 Service Unavailable without asking the registry.</summary>
    ServiceUnavailable,

    /// <summary>Answer 429 Too Many Requests with <c>Retry-After: 1</c>.</summary>
    TooManyRequests,

    /// <summary>Forward, then reset the connection (RST) after <see cref="FaultRule.Bytes"/> body bytes.</summary>
    ResetAfterBytes,

    /// <summary>Forward, flipping the body byte at offset <see cref="FaultRule.Bytes"/>.</summary>
    CorruptByte,

    /// <summary>Wait <see cref="FaultRule.Delay"/> before forwarding (a slow registry).</summary>
    DelayResponse,

    /// <summary>Forward, then go silent for <see cref="FaultRule.Delay"/> after <see cref="FaultRule.Bytes"/> body bytes.</summary>
    StallAfterBytes,

    /// <summary>Drop the request's Range header: the registry answers 200 with the whole blob.</summary>
    IgnoreRange,

    /// <summary>Answer 307 to the same path on the registry itself (blob storage redirects look like this).</summary>
    RedirectToUpstream,

    /// <summary>Forward at about <see cref="FaultRule.BytesPerSecond"/>; <see cref="FaultRule.Reached"/> completes once <see cref="FaultRule.Bytes"/> body bytes went out.</summary>
    Throttle,
}

/// <summary>A fault for requests that <see cref="Matches"/>, applied to the first <see cref="Times"/> of them.</summary>
public sealed class FaultRule(FaultKind kind, Func<ProxiedRequest, bool> matches)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining = int.MaxValue;
    private int _applied;

    public FaultKind Kind { get; } = kind;

    public Func<ProxiedRequest, bool> Matches { get; } = matches;

    public long Bytes { get; init; }

    public TimeSpan Delay { get; init; }

    /// <summary>Pace of <see cref="FaultKind.Throttle"/>.</summary>
    public long BytesPerSecond { get; init; } = 1 << 20;

    /// <summary>Completes when a throttled response has sent <see cref="Bytes"/> body bytes: the moment to act on a half-done transfer.</summary>
    public Task Reached => _reached.Task;

    /// <summary>How many matching requests get the fault (the rest pass untouched).</summary>
    public int Times
    {
        get => _remaining;
        init => _remaining = value;
    }

    /// <summary>Matching requests that got the fault.</summary>
    public int Applied => Volatile.Read(ref _applied);

    public static Func<ProxiedRequest, bool> Manifests => r => r.Path.Contains("/manifests/", StringComparison.Ordinal);

    public static Func<ProxiedRequest, bool> Blobs => r => r.Path.Contains("/blobs/", StringComparison.Ordinal);

    public static Func<ProxiedRequest, bool> Any => _ => true;

    internal void Forwarded(long bodyBytes)
    {
        if (bodyBytes >= Bytes)
        {
            _reached.TrySetResult();
        }
    }

    internal bool TryApply(ProxiedRequest request)
    {
        if (!Matches(request) || Interlocked.Decrement(ref _remaining) < 0)
        {
            return false;
        }

        Interlocked.Increment(ref _applied);
        return true;
    }
}

/// <summary>A request as the proxy received it.</summary>
public sealed record ProxiedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    public string Path => Target.Split('?')[0];

    public string Query => Target.Contains('?', StringComparison.Ordinal) ? Target[(Target.IndexOf('?', StringComparison.Ordinal) + 1)..] : string.Empty;

    public string? Header(string name) => Headers.GetValueOrDefault(name);
}
