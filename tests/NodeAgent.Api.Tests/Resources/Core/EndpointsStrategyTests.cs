using k8s.Models;
using NodeAgent.Api.Resources.Core;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Core;

public sealed class EndpointsStrategyTests
{
    private readonly EndpointsStrategy _strategy = new();

    public static TheoryData<string, string, string> Formatting => new()
    {
        { "no subsets", "subsets: []", "<none>" },
        { "one address", "subsets: [{addresses: [{ip: 10.42.0.5}], ports: [{port: 8080}]}]", "10.42.0.5:8080" },
        {
            "three addresses exactly", "subsets: [{addresses: [{ip: 10.42.0.5}, {ip: 10.42.0.6}, {ip: 10.42.0.7}], ports: [{port: 80}]}]",
            "10.42.0.5:80,10.42.0.6:80,10.42.0.7:80"
        },
        {
            "more than three", "subsets: [{addresses: [{ip: 10.42.0.5}, {ip: 10.42.0.6}], ports: [{name: http, port: 80}, {name: https, port: 443}]}]",
            "10.42.0.5:80,10.42.0.6:80,10.42.0.5:443 + 1 more..."
        },
        {
            "several subsets", "subsets: [{addresses: [{ip: 10.42.0.5}, {ip: 10.42.0.6}], ports: [{port: 80}]}, {addresses: [{ip: 10.42.1.5}, {ip: 10.42.1.6}, {ip: 10.42.1.7}], ports: [{port: 81}]}]",
            "10.42.0.5:80,10.42.0.6:80,10.42.1.5:81 + 2 more..."
        },
        { "headless without ports", "subsets: [{addresses: [{ip: 10.42.0.5}, {ip: 10.42.0.6}]}]", "10.42.0.5,10.42.0.6" },
        { "IPv6", "subsets: [{addresses: [{ip: 'fd00::5'}], ports: [{port: 80}]}]", "[fd00::5]:80" },
        { "only not-ready addresses", "subsets: [{notReadyAddresses: [{ip: 10.42.0.5}], ports: [{port: 80}]}]", "" },
    };

    [Theory]
    [MemberData(nameof(Formatting))]
    public void The_ENDPOINTS_cell_shows_three_and_counts_the_rest(string why, string body, string expected)
    {
        var ep = Yaml<V1Endpoints>("metadata: {name: web, namespace: default}\n" + body);
        ep.Metadata.CreationTimestamp = Now.UtcDateTime.AddSeconds(-30);
        var cells = _strategy.Cells(ep, Now);
        Assert.True(expected == (string?)cells[1], $"{why}: {cells[1]}");
        Assert.Equal("30s", cells[2]);
    }

    [Fact]
    public void Columns_are_upstreams() => Assert.Equal(["Name", "Endpoints", "Age"], _strategy.Columns.Select(c => c.Name));

    public static TheoryData<string, string, string[]> Invalid => new()
    {
        { "fine", "subsets: [{addresses: [{ip: 10.42.0.5}], ports: [{port: 80}]}]", [] },
        {
            "empty subset", "subsets: [{ports: [{port: 80}]}]",
            ["subsets[0]|FieldValueRequired|Required value: must specify `addresses` or `notReadyAddresses`"]
        },
        {
            "bad IP", "subsets: [{addresses: [{ip: 10.42.0}], ports: [{port: 80}]}]",
            ["subsets[0].addresses[0].ip|FieldValueInvalid|Invalid value: \"10.42.0\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
        },
        {
            "port out of range and unnamed ports", "subsets: [{addresses: [{ip: 10.42.0.5}], ports: [{port: 0}, {port: 81, protocol: ICMP}]}]",
            [
                "subsets[0].ports[0].name|FieldValueRequired|Required value",
                "subsets[0].ports[0].port|FieldValueInvalid|Invalid value: 0: must be between 1 and 65535, inclusive",
                "subsets[0].ports[1].name|FieldValueRequired|Required value",
                "subsets[0].ports[1].protocol|FieldValueNotSupported|Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validation_reports_upstreams_field_errors(string why, string body, string[] expected)
    {
        var ep = Yaml<V1Endpoints>("metadata: {name: web, namespace: default}\n" + body);
        Assert.True(expected.SequenceEqual(Lines(Create(_strategy, ep))), $"{why}: {string.Join(" / ", Lines(_strategy.ValidateCreate(ep)))}");
    }

    [Fact]
    public void Port_protocol_defaults_to_TCP()
    {
        var ep = Yaml<V1Endpoints>("metadata: {name: web, namespace: default}\nsubsets: [{addresses: [{ip: 10.42.0.5}], ports: [{port: 80}]}]");
        _strategy.ApplyDefaults(ep);
        Assert.Equal("TCP", ep.Subsets[0].Ports[0].Protocol);
    }
}
