using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Tests.Pods;

public class RestartBackoffTests
{
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void First_restart_is_immediate_then_10s_doubling_to_5_minutes()
    {
        var backoff = new RestartBackoff(_clock);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            var finished = _clock.GetUtcNow();
            var wait = backoff.Remaining("k", finished);
            delays.Add(wait);
            _clock.Advance(wait);
            Assert.Equal(TimeSpan.Zero, backoff.Remaining("k", finished));
            backoff.Next("k", TimeSpan.FromSeconds(1));
        }

        Assert.Equal([0, 10, 20, 40, 80, 160, 300, 300], delays.Select(d => (int)d.TotalSeconds));
    }

    [Fact]
    public void Running_ten_minutes_or_ten_quiet_minutes_reset_the_backoff()
    {
        var backoff = new RestartBackoff(_clock);
        backoff.Next("k");
        backoff.Next("k");
        Assert.Equal(TimeSpan.FromSeconds(20), backoff.Delay("k"));

        backoff.Next("k", ranFor: TimeSpan.FromMinutes(10));
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Delay("k"));

        backoff.Next("k");
        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(TimeSpan.Zero, backoff.Remaining("k", _clock.GetUtcNow()));
        Assert.Equal(TimeSpan.Zero, backoff.Delay("k"));
    }
}
