using NodeAgent.Controllers.Machinery;
using NodeAgent.Testing.Common;

namespace NodeAgent.Controllers.Tests.Machinery;

public sealed class RateLimitingWorkQueueTests
{
    [Fact]
    public async Task An_item_added_twice_while_waiting_is_handed_out_once()
    {
        using var deadline = TestDeadline.Seconds(10);
        using var queue = NewQueue();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        Assert.Equal(2, queue.Length);
        Assert.Equal("a", (await queue.GetAsync(deadline.Token)).Item);
        Assert.Equal("b", (await queue.GetAsync(deadline.Token)).Item);
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public async Task An_item_added_while_processing_waits_for_done_and_is_never_on_two_workers()
    {
        using var deadline = TestDeadline.Seconds(10);
        using var queue = NewQueue();
        queue.Add("a");
        var (_, first) = await queue.GetAsync(deadline.Token);

        queue.Add("a");
        Assert.Equal(0, queue.Length);
        var second = queue.GetAsync(deadline.Token);
        Assert.False(second.IsCompleted);

        queue.Done(first);
        Assert.Equal("a", (await second).Item);
    }

    [Fact]
    public async Task Done_without_a_new_add_does_not_requeue()
    {
        using var deadline = TestDeadline.Seconds(10);
        using var queue = NewQueue();
        queue.Add("a");
        var (_, item) = await queue.GetAsync(deadline.Token);
        queue.Done(item);
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public async Task AddAfter_delivers_the_item_later_and_rate_limited_adds_count_requeues()
    {
        using var deadline = TestDeadline.Seconds(10);
        using var queue = NewQueue();
        queue.AddAfter("later", TimeSpan.FromMilliseconds(30));
        Assert.Equal(0, queue.Length);
        Assert.Equal("later", (await queue.GetAsync(deadline.Token)).Item);

        queue.AddRateLimited("x");
        queue.AddRateLimited("x");
        Assert.Equal(2, queue.NumRequeues("x"));
        queue.Forget("x");
        Assert.Equal(0, queue.NumRequeues("x"));
    }

    [Fact]
    public async Task Shutdown_releases_waiting_workers()
    {
        using var deadline = TestDeadline.Seconds(10);
        using var queue = NewQueue();
        var waiting = queue.GetAsync(deadline.Token);
        queue.ShutDown();
        Assert.False((await waiting).Ok);
        queue.Add("ignored");
        Assert.Equal(0, queue.Length);
    }

    private static RateLimitingWorkQueue<string> NewQueue() => new(RateLimiters.DefaultController<string>(TimeProvider.System), TimeProvider.System);
}
