using NodeAgent.Node.Pleg;

namespace NodeAgent.Node.Tests.Pleg;

public sealed class PlegHealthTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Healthy_up_to_the_threshold_and_kubelets_message_after_it()
    {
        var threshold = TimeSpan.FromMinutes(3);

        Assert.Null(PlegHealth.Problem(T0, T0.AddMinutes(3), threshold));
        Assert.Equal(
            "PLEG is not healthy: pleg was last seen active 3m2.5s ago; threshold is 3m0s",
            PlegHealth.Problem(T0, T0.AddMinutes(3).AddSeconds(2.5), threshold));
    }

    [Fact]
    public void A_pleg_that_never_relisted_is_unhealthy_only_once_the_threshold_passed_since_its_start()
    {
        var threshold = TimeSpan.FromMinutes(3);

        Assert.Null(PlegHealth.NeverRelisted(T0, T0.AddMinutes(3), threshold));
        Assert.Equal("PLEG is not healthy: pleg has yet to be successful", PlegHealth.NeverRelisted(T0, T0.AddMinutes(4), threshold));
    }

    [Theory]
    [InlineData(500, "500ms")]
    [InlineData(2250, "2.25s")]
    [InlineData(180_000, "3m0s")]
    [InlineData(3_723_500, "1h2m3.5s")]
    public void Durations_read_as_go_prints_them(long milliseconds, string expected)
        => Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
