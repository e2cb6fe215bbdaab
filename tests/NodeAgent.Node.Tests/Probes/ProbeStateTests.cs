using NodeAgent.Node.Probes;

namespace NodeAgent.Node.Tests.Probes;

public class ProbeStateTests
{
    [Fact]
    public void Result_flips_only_after_consecutive_thresholds()
    {
        var state = new ProbeState(successThreshold: 2, failureThreshold: 3, initial: false);
        Assert.False(state.Observe(true));
        Assert.False(state.Observe(false));
        Assert.False(state.Observe(true));
        Assert.True(state.Observe(true));
        Assert.True(state.Result);
        Assert.False(state.Observe(false));
        Assert.False(state.Observe(false));
        Assert.False(state.Observe(true));
        Assert.False(state.Observe(false));
        Assert.False(state.Observe(false));
        Assert.True(state.Observe(false));
        Assert.False(state.Result);
    }
}
