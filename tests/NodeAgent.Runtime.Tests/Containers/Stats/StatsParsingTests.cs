using NodeAgent.Runtime.Containers.Stats;

namespace NodeAgent.Runtime.Tests.Containers.Stats;

public sealed class StatsParsingTests
{
    [Fact]
    public void Net_dev_gives_bytes_and_errors_per_interface()
    {
        const string text = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0
              eth0:    1766      18    3    0    0     0          0         0      866      11    4    0    0     0       0          0
            """;

        var interfaces = NetDevReader.Parse(text);

        Assert.Equal(
            [new InterfaceCounters("lo", 140, 0, 140, 0), new InterfaceCounters("eth0", 1766, 3, 866, 4)],
            interfaces);
    }

    [Fact]
    public void Nano_cores_come_from_the_last_sample_and_the_first_look_averages_since_start()
    {
        var tracker = new CpuRateTracker();
        var start = DateTimeOffset.UnixEpoch;

        // 0.5 s of CPU over the first 2 s: a quarter core.
        Assert.Equal(250_000_000UL, tracker.Rate("c", start, start.AddSeconds(2), 500_000_000));
        // 1 s more over the next 1 s: a whole core.
        Assert.Equal(1_000_000_000UL, tracker.Rate("c", start, start.AddSeconds(3), 1_500_000_000));
        // A counter that went backwards (the cgroup was recreated) reports zero rather than garbage.
        Assert.Equal(0UL, tracker.Rate("c", start, start.AddSeconds(4), 10));

        tracker.Retain(new HashSet<string>());
        Assert.Equal(5UL, tracker.Rate("c", start, start.AddSeconds(2), 10));
    }
}
