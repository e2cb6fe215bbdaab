namespace NodeAgent.Storage.Sqlite;

/// <summary>
/// The newest events in memory (a ring), so that watches starting near the head and watchers keeping up
/// never touch the database. It holds every event with a revision in (<see cref="CoveredFrom"/>,
/// <see cref="Head"/>]; older starts fall back to the log. Watchers pull from it at their own pace, so a
/// slow watcher never blocks writers or other watchers and nothing is dropped: a watcher that falls
/// behind the ring reads the log instead.
/// </summary>
internal sealed class WatchCache
{
    private readonly Lock _gate = new();
    private readonly WatchEvent[] _ring;
    private int _first;
    private int _count;
    private TaskCompletionSource _advanced = NewSignal();
    private volatile bool _closed;

    public WatchCache(int capacity, long head)
    {
        _ring = new WatchEvent[capacity];
        Head = head;
        CoveredFrom = head;
    }

    /// <summary>The revision up to which the log has been read into the cache.</summary>
    public long Head { get; private set; }

    /// <summary>Every event after this revision (up to <see cref="Head"/>) is in the cache.</summary>
    public long CoveredFrom { get; private set; }

    /// <summary>Adds events read from the log (in revision order) and moves the head to <paramref name="head"/>.</summary>
    public void Append(IReadOnlyList<WatchEvent> events, long head)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            foreach (var e in events)
            {
                if (_count == _ring.Length)
                {
                    CoveredFrom = _ring[_first].Revision;
                    _first = (_first + 1) % _ring.Length;
                    _count--;
                }

                _ring[(_first + _count) % _ring.Length] = e;
                _count++;
            }

            if (head <= Head)
            {
                return;
            }

            Head = head;
            signal = _advanced;
            _advanced = NewSignal();
        }

        signal.TrySetResult();
    }

    /// <summary>Forgets everything before <paramref name="head"/> (history was compacted before the cache saw it).</summary>
    public void Reset(long head)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _first = 0;
            _count = 0;
            CoveredFrom = Math.Max(Head, head);
            Head = CoveredFrom;
            signal = _advanced;
            _advanced = NewSignal();
        }

        signal.TrySetResult();
    }

    /// <summary>True once the store is closing: waiting watchers wake up and end.</summary>
    public bool IsClosed => _closed;

    /// <summary>A task that completes once <see cref="Head"/> is beyond <paramref name="revision"/> (or the cache is closed).</summary>
    public Task WhenBeyond(long revision)
    {
        lock (_gate)
        {
            return Head > revision || IsClosed ? Task.CompletedTask : _advanced.Task;
        }
    }

    /// <summary>Wakes every waiting watcher for good.</summary>
    public void Close()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _closed = true;
            signal = _advanced;
        }

        signal.TrySetResult();
    }

    /// <summary>
    /// Copies up to <paramref name="max"/> events under <paramref name="prefix"/> after <paramref name="after"/> into
    /// <paramref name="into"/>; <paramref name="readUpTo"/> is the revision up to which the cache was searched.
    /// False when the cache no longer covers <paramref name="after"/> (read the log instead).
    /// </summary>
    public bool TryRead(long after, string prefix, int max, List<WatchEvent> into, out long readUpTo)
    {
        lock (_gate)
        {
            readUpTo = after;
            if (after < CoveredFrom)
            {
                return false;
            }

            var index = FirstAfter(after);
            readUpTo = Head;
            for (; index < _count; index++)
            {
                var e = _ring[(_first + index) % _ring.Length];
                if (!e.Current.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (into.Count == max)
                {
                    // Stop before this event so the next read starts with it.
                    readUpTo = e.Revision - 1;
                    break;
                }

                into.Add(e);
            }

            return true;
        }
    }

    private int FirstAfter(long revision)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ring[(_first + mid) % _ring.Length].Revision <= revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
