using NodeAgent.Runtime.Common;

namespace NodeAgent.Runtime.Tests.Common;

public sealed class KeyedLockTests
{
    [Fact]
    public async Task One_key_serialises_other_keys_do_not_wait_and_the_table_empties()
    {
        var locks = new KeyedLock();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var first = await locks.AcquireAsync("a", cts.Token);
        var second = locks.AcquireAsync("a", cts.Token);
        using (await locks.AcquireAsync("b", cts.Token))
        {
            Assert.False(second.IsCompleted);
        }

        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second).Dispose();
        first.Dispose();

        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_no_entry_and_does_not_take_the_lock()
    {
        var locks = new KeyedLock();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var waiterCts = new CancellationTokenSource();
        var holder = await locks.AcquireAsync("a", cts.Token);
        var waiter = locks.AcquireAsync("a", waiterCts.Token);

        await waiterCts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        holder.Dispose();

        Assert.Equal(0, locks.Count);
        (await locks.AcquireAsync("a", cts.Token)).Dispose();
    }

    [Fact]
    public async Task Many_concurrent_holders_of_one_key_never_overlap()
    {
        var locks = new KeyedLock();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var inside = 0;
        var maxInside = 0;

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            using (await locks.AcquireAsync("k", cts.Token))
            {
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        })));

        Assert.Equal(1, maxInside);
        Assert.Equal(0, locks.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
