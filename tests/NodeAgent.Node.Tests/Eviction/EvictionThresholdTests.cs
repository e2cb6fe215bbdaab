using NodeAgent.Node.Eviction;

namespace NodeAgent.Node.Tests.Eviction;

public sealed class EvictionThresholdTests
{
    [Fact]
    public void Kubelet_defaults_parse_to_its_five_linux_thresholds()
    {
        var defaults = EvictionThreshold.ParseList(EvictionThreshold.DefaultHard);
        Assert.Equal(
            ["memory.available<100Mi", "nodefs.available<10%", "nodefs.inodesFree<5%", "imagefs.available<15%", "imagefs.inodesFree<5%"],
            defaults.Select(t => t.ToString()));
        Assert.Equal(100L << 20, defaults[0].Quantity);
        Assert.Equal(0.10, defaults[1].Percentage!.Value, 6);
    }

    [Fact]
    public void Quantities_and_percentages_become_amounts_of_the_capacity()
    {
        var list = EvictionThreshold.ParseList(" memory.available<1Gi , nodefs.available<12.5%,pid.available<1000");
        Assert.Equal(1L << 30, list[0].Amount(123));
        Assert.Equal(125, list[1].Amount(1000));
        Assert.Equal(1000, list[2].Amount(4_000_000));
    }

    [Fact]
    public void Zero_and_hundred_percent_switch_a_signal_off_as_in_kubelet()
        => Assert.Equal(["memory.available<1Ei"], EvictionThreshold.ParseList("nodefs.available<100%,imagefs.available<0%,memory.available<1Ei").Select(t => t.ToString()));

    [Fact]
    public void An_empty_value_means_no_hard_eviction()
        => Assert.Empty(EvictionThreshold.ParseList(""));

    [Theory]
    [InlineData("memory.available", "malformed pair \"memory.available\", expect signal<value")]
    [InlineData("memory.available>100Mi", "malformed pair")]
    [InlineData("cpu.available<1", "unsupported eviction signal cpu.available")]
    [InlineData("memory.available<-1Mi", "eviction threshold memory.available must be positive: -1Mi")]
    [InlineData("memory.available<0", "must be positive")]
    [InlineData("nodefs.available<150%", "eviction percentage threshold nodefs.available must be <= 100%: 150%")]
    [InlineData("nodefs.available<-5%", "must be >= 0%")]
    [InlineData("memory.available<lots", "invalid quantity \"lots\"")]
    [InlineData("memory.available<1Mi,memory.available<2Mi", "found duplicate eviction threshold for signal memory.available")]
    public void Bad_input_says_what_is_wrong(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => EvictionThreshold.ParseList(text));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(104857600L, true, "100Mi")]
    [InlineData(1536L * 1024, true, "1536Ki")]
    [InlineData(1000L, true, "1000")]
    [InlineData(0L, true, "0")]
    [InlineData(12000L, false, "12k")]
    [InlineData(12345L, false, "12345")]
    public void Quantities_print_in_canonical_form(long value, bool binary, string expected)
        => Assert.Equal(expected, QuantityFormat.Format(value, binary));
}
