using System.Globalization;
using System.Text.RegularExpressions;
using NodeAgent.Storage;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>
/// Reading collections from the store with upstream's resourceVersion semantics and paging: filtered pages
/// keep reading until <c>limit</c> matches are found, and every page of one list reads at one revision.
/// </summary>
internal static partial class StoreReads
{
    /// <summary>How many keys one store read asks for when a selector may reject most of them.</summary>
    private const int FilteredReadSize = 500;

    private const string ListTooOld = "The resourceVersion for the provided list is too old.";

    private const string ContinueTooOld = "The provided continue parameter is too old to display a consistent list result. "
        + "You can start a new list without the continue parameter, or use the continue token in this response to retrieve "
        + "the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that "
        + "were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    /// <summary>A list request: revision semantics, continue, limit and selectors.</summary>
    public static async Task<ListPage> ListAsync(
        IRevisionedStore store, string prefix, ListParameters parameters, ObjectFilter filter, CancellationToken ct)
    {
        long revision;
        string? startAfter = null;
        var continuing = parameters.Continue is not null;
        if (continuing)
        {
            if (parameters.ResourceVersion is { Length: > 0 } and not "0")
            {
                throw ApiStatusException.BadRequest("specifying resource version is not allowed when using continue");
            }

            try
            {
                (startAfter, revision) = ContinueToken.Decode(prefix, parameters.Continue!);
            }
            catch (FormatException e)
            {
                throw ApiStatusException.BadRequest($"invalid continue token: {e.Message}");
            }

            // -1: the token handed out with a 410, "continue at the latest revision".
            revision = Math.Max(revision, 0);
        }
        else if (parameters.IsExactList)
        {
            revision = parameters.Revision;
        }
        else
        {
            revision = 0;
            await EnsureNotOlderThanAsync(store, parameters.Revision, ct).ConfigureAwait(false);
        }

        try
        {
            return await ReadPageAsync(store, prefix, revision, startAfter, parameters.Limit, filter, ct).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Gone)
        {
            throw continuing
                ? ApiStatusException.Expired(ContinueTooOld, ContinueToken.Encode(prefix, startAfter!, -1))
                : ApiStatusException.Expired(ListTooOld);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.FutureRevision)
        {
            var current = await store.CurrentRevisionAsync(ct).ConfigureAwait(false);
            throw ApiStatusException.TooLargeResourceVersion(revision, current);
        }
    }

    /// <summary>A resourceVersion the store has not reached yet is 504 "Too large resource version", as upstream answers.</summary>
    public static async Task EnsureNotOlderThanAsync(IRevisionedStore store, long revision, CancellationToken ct)
    {
        if (revision <= 0)
        {
            return;
        }

        var current = await store.CurrentRevisionAsync(ct).ConfigureAwait(false);
        if (revision > current)
        {
            throw ApiStatusException.TooLargeResourceVersion(revision, current);
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> (0: all) matching items after <paramref name="startAfter"/> at
    /// <paramref name="revision"/> (0: latest), with the continue token and, when nothing is filtered out, the exact
    /// remaining count.
    /// </summary>
    public static async Task<ListPage> ReadPageAsync(
        IRevisionedStore store, string prefix, long revision, string? startAfter, long limit, ObjectFilter filter, CancellationToken ct)
    {
        var items = new List<StoredItem>();
        var readSize = limit <= 0 ? 0 : filter.IsEverything ? (int)Math.Min(limit, int.MaxValue) : (int)Math.Max(limit, FilteredReadSize);
        while (true)
        {
            var page = await store.ListAsync(prefix, revision, startAfter, readSize, ct).ConfigureAwait(false);
            revision = page.Revision;
            for (var i = 0; i < page.Items.Count; i++)
            {
                var item = StoredItem.Of(page.Items[i]);
                if (!filter.Matches(item))
                {
                    continue;
                }

                items.Add(item);
                if (limit > 0 && items.Count == limit)
                {
                    var left = page.Items.Count - i - 1;
                    if (left == 0 && page.ContinueKey is null)
                    {
                        return Done(items, revision);
                    }

                    long? remaining = filter.IsEverything ? page.RemainingCount + left : null;
                    var token = ContinueToken.Encode(prefix, item.Key, revision);
                    return new ListPage(items, new ListMetadata(Format(revision), token, remaining));
                }
            }

            if (page.ContinueKey is null)
            {
                return Done(items, revision);
            }

            startAfter = page.ContinueKey;
        }
    }

    /// <summary>The revisions of a compaction error, for upstream's "too old resource version: R (C)".</summary>
    public static string TooOldMessage(StorageException error, long requested)
    {
        var match = CompactedRevision().Match(error.Message);
        return match.Success
            ? $"too old resource version: {requested} ({match.Groups[1].Value})"
            : "The resourceVersion for the provided watch is too old.";
    }

    public static string Format(long revision) => revision.ToString(CultureInfo.InvariantCulture);

    private static ListPage Done(List<StoredItem> items, long revision) => new(items, new ListMetadata(Format(revision)));

    [GeneratedRegex(@"compacted revision (\d+)")]
    private static partial Regex CompactedRevision();
}
