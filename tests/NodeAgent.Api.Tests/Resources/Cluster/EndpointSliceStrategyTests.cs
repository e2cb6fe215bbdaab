using k8s.Models;
using NodeAgent.Api.Resources.Cluster;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Cluster;

public sealed class EndpointSliceStrategyTests
{
    private const string Meta = "metadata: {name: web-abc, namespace: default}\n";

    private readonly EndpointSliceStrategy _strategy = new();

    public static TheoryData<string, string, string[]> Invalid => new()
    {
        { "fine", "addressType: IPv4\nendpoints: [{addresses: [10.42.0.5]}]\nports: [{name: http, port: 80}]", [] },
        { "no addressType", "endpoints: []", ["addressType|FieldValueRequired|Required value"] },
        {
            "unknown addressType", "addressType: IPv5",
            ["addressType|FieldValueNotSupported|Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""]
        },
        {
            "endpoint without addresses", "addressType: IPv4\nendpoints: [{addresses: []}]",
            ["endpoints[0].addresses|FieldValueRequired|Required value: must contain at least 1 address"]
        },
        {
            "address of the wrong family", "addressType: IPv4\nendpoints: [{addresses: ['fd00::1']}]",
            ["endpoints[0].addresses[0]|FieldValueInvalid|Invalid value: \"fd00::1\": must be a valid IPv4 address"]
        },
        {
            "loopback endpoint", "addressType: IPv4\nendpoints: [{addresses: [127.0.0.1]}]",
            ["endpoints[0].addresses[0]|FieldValueInvalid|Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"]
        },
        {
            "FQDN needs two labels", "addressType: FQDN\nendpoints: [{addresses: [db]}]",
            ["endpoints[0].addresses[0]|FieldValueInvalid|Invalid value: \"db\": should be a domain with at least two segments separated by dots"]
        },
        {
            "ports", "addressType: IPv4\nports: [{name: http, port: 80}, {name: http, protocol: ICMP}]",
            [
                "ports[1].name|FieldValueDuplicate|Duplicate value: \"http\"",
                "ports[1].protocol|FieldValueNotSupported|Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validation_reports_upstreams_field_errors(string why, string body, string[] expected)
    {
        var slice = Yaml<V1EndpointSlice>(Meta + body);
        Assert.True(expected.SequenceEqual(Lines(Create(_strategy, slice))), $"{why}: {string.Join(" / ", Lines(_strategy.ValidateCreate(slice)))}");
    }

    [Fact]
    public void AddressType_is_immutable()
    {
        var old = Yaml<V1EndpointSlice>(Meta + "addressType: IPv4");
        var changed = Yaml<V1EndpointSlice>(Meta + "addressType: IPv6");
        Assert.Equal(["addressType|FieldValueInvalid|Invalid value: \"IPv6\": field is immutable"], Lines(_strategy.ValidateUpdate(changed, old)));
    }

    [Fact]
    public void Ports_default_to_TCP_with_an_empty_name()
    {
        var slice = Yaml<V1EndpointSlice>(Meta + "addressType: IPv4\nports: [{port: 80}]");
        _strategy.ApplyDefaults(slice);
        Assert.Equal("TCP", slice.Ports[0].Protocol);
        Assert.Equal("", slice.Ports[0].Name);
    }

    public static TheoryData<string, string, string, string> Rows => new()
    {
        { "empty", "addressType: IPv4", "<unset>", "<unset>" },
        { "one of each", "addressType: IPv4\nendpoints: [{addresses: [10.42.0.5]}]\nports: [{port: 80}]", "80", "10.42.0.5" },
        {
            "more than three",
            "addressType: IPv4\nendpoints: [{addresses: [10.42.0.5]}, {addresses: [10.42.0.6]}, {addresses: [10.42.0.7]}, {addresses: [10.42.0.8]}, {addresses: [10.42.0.9]}]\nports: [{port: 80}, {name: dns}, {}, {port: 443}]",
            "80,dns,* + 1 more...", "10.42.0.5,10.42.0.6,10.42.0.7 + 2 more..."
        },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void PORTS_and_ENDPOINTS_cells_are_upstreams(string why, string body, string ports, string endpoints)
    {
        var slice = Yaml<V1EndpointSlice>(Meta + body);
        slice.Metadata.CreationTimestamp = Now.UtcDateTime.AddSeconds(-1);
        var cells = _strategy.Cells(slice, Now);
        Assert.Equal(["Name", "AddressType", "Ports", "Endpoints", "Age"], _strategy.Columns.Select(c => c.Name));
        Assert.True(ports == (string?)cells[2] && endpoints == (string?)cells[3], $"{why}: {cells[2]} | {cells[3]}");
        Assert.Equal("IPv4", cells[1]);
        Assert.Equal("1s", cells[4]);
    }
}
