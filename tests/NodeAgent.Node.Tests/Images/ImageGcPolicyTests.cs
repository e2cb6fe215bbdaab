using NodeAgent.Node.Images;

namespace NodeAgent.Node.Tests.Images;

public sealed class ImageGcPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 3, 0, 0, TimeSpan.Zero);

    private static ImageUsageRecord Image(string id, ulong size, int firstSeenMinutesAgo, int? lastUsedMinutesAgo = null, bool pinned = false)
        => new(id, size, Now.AddMinutes(-firstSeenMinutesAgo), lastUsedMinutesAgo is { } m ? Now.AddMinutes(-m) : DateTimeOffset.MinValue, pinned);

    [Theory]
    [InlineData(84, 0)]
    [InlineData(85, 5)]
    [InlineData(95, 15)]
    public void Collection_starts_at_the_high_threshold_and_frees_down_to_the_low_one(ulong usedPercent, ulong expectedPercentToFree)
    {
        const ulong capacity = 1_000_000;

        var toFree = ImageGcPolicy.BytesToFree(usedPercent * capacity / 100, capacity, new ImageGcOptions());

        Assert.Equal(expectedPercentToFree * capacity / 100, toFree);
    }

    [Fact]
    public void Unused_old_enough_unpinned_images_go_least_recently_used_first_until_enough_is_freed()
    {
        var images = new[]
        {
            Image("used-recently", 100, firstSeenMinutesAgo: 60, lastUsedMinutesAgo: 1),
            Image("used-long-ago", 100, firstSeenMinutesAgo: 60, lastUsedMinutesAgo: 30),
            Image("never-used-old", 100, firstSeenMinutesAgo: 50),
            Image("never-used-older", 100, firstSeenMinutesAgo: 55),
            Image("too-young", 100, firstSeenMinutesAgo: 1),
            Image("pinned", 100, firstSeenMinutesAgo: 99, pinned: true),
            Image("in-use", 100, firstSeenMinutesAgo: 99),
        };

        var selection = ImageGcPolicy.Select(images, new HashSet<string> { "in-use" }, bytesToFree: 250, Now, TimeSpan.FromMinutes(2));

        Assert.Equal(["never-used-older", "never-used-old", "used-long-ago"], selection.Images.Select(i => i.Id));
        Assert.Equal(300UL, selection.FreedBytes);
        Assert.Equal(400UL, selection.EligibleBytes);
    }

    [Theory]
    [InlineData(101, 80, "high threshold 101")]
    [InlineData(85, 90, "low threshold 90")]
    [InlineData(85, -1, "low threshold -1")]
    public void Bad_thresholds_are_refused_with_the_setting_named(int high, int low, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => new ImageGcOptions { HighThresholdPercent = high, LowThresholdPercent = low }.Validate());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
