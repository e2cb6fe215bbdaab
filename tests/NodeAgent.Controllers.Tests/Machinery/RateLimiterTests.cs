using NodeAgent.Controllers.Machinery;

namespace NodeAgent.Controllers.Tests.Machinery;

public sealed class RateLimiterTests
{
    [Fact]
    public void Per_item_delay_doubles_from_the_base_up_to_the_cap_and_forget_resets_it()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1));
        var delays = Enumerable.Range(0, 10).Select(_ => limiter.NextDelay("a").TotalMilliseconds).ToArray();
        Assert.Equal([5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000], delays);
        Assert.Equal(10, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.NextDelay("b"));

        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.NextDelay("a"));
    }

    [Fact]
    public void Bucket_allows_the_burst_then_spaces_items_by_its_rate_and_refills()
    {
        var time = new ManualTime();
        var bucket = new BucketRateLimiter<string>(10, 3, time);
        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero], [bucket.NextDelay("a"), bucket.NextDelay("b"), bucket.NextDelay("c")]);
        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.NextDelay("d"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), bucket.NextDelay("e"));

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, bucket.NextDelay("f"));
    }

    [Fact]
    public void Max_of_takes_the_longest_delay()
    {
        var time = new ManualTime();
        var limiter = new MaxOfRateLimiter<string>(
            new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new BucketRateLimiter<string>(1, 1, time));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.NextDelay("a"));
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.NextDelay("a"));
        Assert.Equal(2, limiter.NumRequeues("a"));
    }
}
