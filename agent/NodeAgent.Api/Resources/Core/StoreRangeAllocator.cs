using System.Security.Cryptography;
using System.Text;
using NodeAgent.Storage;

namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// Hands out the values of a contiguous range (service IPs, node ports) by creating one store key per taken
/// value under <c>prefix</c>: the store's create-if-absent makes two concurrent allocations of one value
/// impossible, and the keys outlive restarts. The value of a key names its owner (<c>namespace/name</c>), so a
/// release never frees a value someone else holds.
/// </summary>
/// <remarks>
/// Like upstream (KEP-3070/3668), dynamic allocation prefers the upper part of the range and leaves the lower
/// "static band" for values users request explicitly, trying it only when the upper part is full.
/// </remarks>
internal sealed class StoreRangeAllocator
{
    private readonly IRevisionedStore _store;
    private readonly string _prefix;
    private readonly long _first;
    private readonly long _last;
    private readonly long _dynamicFirst;
    private readonly long _upperFirst;
    private readonly Func<long, string> _format;

    /// <param name="prefix">Key prefix ending in '/'.</param>
    /// <param name="first">Lowest valid offset.</param>
    /// <param name="last">Highest valid offset.</param>
    /// <param name="dynamicFirst">Lowest offset dynamic allocation may hand out (offsets below are reserved).</param>
    /// <param name="staticBand">How many offsets from <paramref name="first"/> dynamic allocation tries last.</param>
    /// <param name="format">Offset → the value's text (the key's last segment).</param>
    public StoreRangeAllocator(IRevisionedStore store, string prefix, long first, long last, long dynamicFirst, long staticBand, Func<long, string> format)
    {
        _store = store;
        _prefix = prefix;
        _first = first;
        _last = last;
        _dynamicFirst = Math.Max(first, dynamicFirst);
        _upperFirst = Math.Min(Math.Max(_dynamicFirst, first + staticBand), last + 1);
        _format = format;
    }

    public bool Contains(long offset) => offset >= _first && offset <= _last;

    public string Key(long offset) => _prefix + _format(offset);

    /// <summary>Takes <paramref name="offset"/> for <paramref name="owner"/>; false when it is already taken (by anyone).</summary>
    public async Task<bool> TryAllocateAsync(long offset, string owner, CancellationToken ct)
    {
        try
        {
            await _store.CreateAsync(Key(offset), Encoding.UTF8.GetBytes(owner), ct).ConfigureAwait(false);
            return true;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.AlreadyExists)
        {
            return false;
        }
    }

    /// <summary>Takes a free value for <paramref name="owner"/>, or returns null when the range is full.</summary>
    public async Task<long?> AllocateNextAsync(string owner, CancellationToken ct)
    {
        // One list tells which values are taken, so a busy range costs one read instead of a failed create per
        // taken value; a value taken between the list and the create just moves on to the next candidate.
        var taken = await TakenAsync(ct).ConfigureAwait(false);
        foreach (var offset in Candidates())
        {
            if (!taken.Contains(_format(offset)) && await TryAllocateAsync(offset, owner, ct).ConfigureAwait(false))
            {
                return offset;
            }
        }

        return null;
    }

    /// <summary>Frees <paramref name="offset"/> if <paramref name="owner"/> holds it; anything else is left alone.</summary>
    public async Task ReleaseAsync(long offset, string owner, CancellationToken ct)
    {
        var key = Key(offset);
        var current = await _store.GetAsync(key, ct).ConfigureAwait(false);
        if (current is null || Encoding.UTF8.GetString(current.Value.Span) != owner)
        {
            return;
        }

        try
        {
            await _store.DeleteAsync(key, current.ModRevision, ct).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.NotFound or StorageErrorKind.Conflict)
        {
            // Already released, or re-taken since we looked: either way not ours to delete any more.
        }
    }

    /// <summary>The owner holding <paramref name="offset"/>, or null.</summary>
    public async Task<string?> OwnerAsync(long offset, CancellationToken ct)
    {
        var current = await _store.GetAsync(Key(offset), ct).ConfigureAwait(false);
        return current is null ? null : Encoding.UTF8.GetString(current.Value.Span);
    }

    private async Task<HashSet<string>> TakenAsync(CancellationToken ct)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var page = await _store.ListAsync(_prefix, 0, after, 1000, ct).ConfigureAwait(false);
            foreach (var kv in page.Items)
            {
                taken.Add(kv.Key[_prefix.Length..]);
            }

            after = page.ContinueKey;
        }
        while (after is not null);

        return taken;
    }

    /// <summary>The upper band from a random start (wrapping), then the static band from its bottom.</summary>
    private IEnumerable<long> Candidates()
    {
        var upperSize = _last - _upperFirst + 1;
        if (upperSize > 0)
        {
            var start = RandomNumberGenerator.GetInt32((int)Math.Min(upperSize, int.MaxValue));
            for (long i = 0; i < upperSize; i++)
            {
                yield return _upperFirst + ((start + i) % upperSize);
            }
        }

        for (var offset = _dynamicFirst; offset < _upperFirst; offset++)
        {
            yield return offset;
        }
    }
}
