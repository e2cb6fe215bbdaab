namespace NodeAgent.Node.Images;

/// <summary>What the node knows of an image between collections (kubelet keeps the same, in memory).</summary>
public sealed record ImageUsageRecord(string Id, ulong Size, DateTimeOffset FirstDetected, DateTimeOffset LastUsed, bool Pinned);

/// <summary>The images one collection removes and how many bytes all eligible images hold.</summary>
public sealed record ImageGcSelection(IReadOnlyList<ImageUsageRecord> Images, ulong FreedBytes, ulong EligibleBytes);

/// <summary>kubelet's image GC decisions as pure functions: when to collect, how much, and which images (LRU).</summary>
public static class ImageGcPolicy
{
    /// <summary>Bytes to free so usage drops to the low threshold; 0 while usage is below the high threshold.</summary>
    public static ulong BytesToFree(ulong usedBytes, ulong capacityBytes, ImageGcOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (capacityBytes == 0)
        {
            return 0;
        }

        var usagePercent = (int)(usedBytes * 100 / capacityBytes);
        if (usagePercent < options.HighThresholdPercent)
        {
            return 0;
        }

        var target = capacityBytes / 100 * (ulong)options.LowThresholdPercent;
        return usedBytes > target ? usedBytes - target : 0;
    }

    /// <summary>
    /// Unused, unpinned images first seen at least MinAge ago, least recently used first (then oldest first), until
    /// <paramref name="bytesToFree"/> is reached.
    /// </summary>
    public static ImageGcSelection Select(IEnumerable<ImageUsageRecord> images, IReadOnlySet<string> inUse, ulong bytesToFree, DateTimeOffset now, TimeSpan minAge)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(inUse);
        var eligible = images
            .Where(i => !i.Pinned && !inUse.Contains(i.Id) && now - i.FirstDetected >= minAge)
            .OrderBy(i => i.LastUsed)
            .ThenBy(i => i.FirstDetected)
            .ToList();
        var selected = new List<ImageUsageRecord>();
        ulong freed = 0;
        foreach (var image in eligible)
        {
            if (freed >= bytesToFree)
            {
                break;
            }

            selected.Add(image);
            freed += image.Size;
        }

        return new ImageGcSelection(selected, freed, eligible.Aggregate(0UL, (sum, i) => sum + i.Size));
    }
}
