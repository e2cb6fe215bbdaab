using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using NodeAgent.Api.Http;
using NodeAgent.Api.Http.Streams;

namespace NodeAgent.Api.Tests.Http.Streams;

/// <summary>The pod stream query parameters and container names, checked with upstream's messages.</summary>
public sealed class PodStreamQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Log_options_are_read_from_the_query()
    {
        var request = PodStreamQuery.Log(Pod("a", "b"), Query(("container", "b"), ("follow", "true"), ("previous", "true"), ("tailLines", "5"), ("sinceSeconds", "60"), ("timestamps", "true"), ("limitBytes", "100")), Now);

        Assert.Equal(new PodLogRequest { Container = "b", Follow = true, Previous = true, TailLines = 5, Since = Now.AddSeconds(-60), Timestamps = true, LimitBytes = 100 }, request);
        Assert.Equal(DateTimeOffset.Parse("2026-11-29T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture), PodStreamQuery.Log(Pod("a"), Query(("sinceTime", "2026-11-29T01:00:00Z")), Now).Since);
    }

    [Theory]
    [InlineData("sinceSeconds", "0", "sinceSeconds: Invalid value: must be greater than 0")]
    [InlineData("tailLines", "-1", "tailLines: Invalid value: must be greater than or equal to 0")]
    [InlineData("limitBytes", "0", "limitBytes: Invalid value: must be greater than 0")]
    [InlineData("tailLines", "many", "tailLines: Invalid value: \"many\": must be an integer")]
    [InlineData("sinceTime", "yesterday", "sinceTime: Invalid value: \"yesterday\": must be an RFC3339 time")]
    public void Bad_log_options_are_a_bad_request(string name, string value, string message)
    {
        var e = Assert.Throws<ApiException>(() => PodStreamQuery.Log(Pod("a"), Query((name, value)), Now));
        Assert.Equal((400, message), (e.Code, e.Message));
    }

    [Fact]
    public void Since_seconds_and_since_time_exclude_each_other()
    {
        var e = Assert.Throws<ApiException>(() => PodStreamQuery.Log(Pod("a"), Query(("sinceSeconds", "5"), ("sinceTime", "2026-11-29T01:00:00Z")), Now));
        Assert.Equal("at most one of `sinceTime` or `sinceSeconds` may be specified", e.Message);
    }

    [Fact]
    public void The_container_is_the_named_one_or_the_only_one()
    {
        Assert.Equal("a", PodStreamQuery.Container(Pod("a"), Query()));
        Assert.Equal("b", PodStreamQuery.Container(Pod("a", "b"), Query(("container", "b"))));
        var several = Assert.Throws<ApiException>(() => PodStreamQuery.Container(Pod("a", "b"), Query()));
        Assert.Equal("a container name must be specified for pod p, choose one of: [a b]", several.Message);
        var unknown = Assert.Throws<ApiException>(() => PodStreamQuery.Container(Pod("a"), Query(("container", "nope"))));
        Assert.Equal((400, "container nope is not valid for pod p"), (unknown.Code, unknown.Message));
    }

    [Fact]
    public void Exec_needs_a_command_and_a_stream()
    {
        var exec = PodStreamQuery.Exec(Pod("a"), Query(("command", "sh"), ("command", "-c"), ("command", "exit 3"), ("stdin", "true"), ("stdout", "true"), ("tty", "true")));
        Assert.Equal(["sh", "-c", "exit 3"], exec.Command);
        Assert.Equal(("a", true, true, false, true), (exec.Container, exec.Stdin, exec.Stdout, exec.Stderr, exec.Tty));
        Assert.Equal("you must specify at least 1 command", Assert.Throws<ApiException>(() => PodStreamQuery.Exec(Pod("a"), Query(("stdout", "true")))).Message);
        Assert.Equal("you must specify at least one of stdin, stdout, stderr", Assert.Throws<ApiException>(() => PodStreamQuery.Attach(Pod("a"), Query())).Message);
    }

    [Fact]
    public void Ports_are_port_numbers()
    {
        Assert.Equal([8080, 9090], PodStreamQuery.Ports(Query(("ports", "8080"), ("ports", "9090"))));
        Assert.Empty(PodStreamQuery.Ports(Query()));
        var e = Assert.Throws<ApiException>(() => PodStreamQuery.Ports(Query(("ports", "70000"))));
        Assert.Equal("ports: Invalid value: \"70000\": must be a valid port number between 1 and 65535", e.Message);
    }

    private static V1Pod Pod(params string[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default" },
        Spec = new V1PodSpec { NodeName = "n", Containers = containers.Select(c => new V1Container { Name = c, Image = "busybox" }).ToList() },
    };

    private static QueryCollection Query(params (string Name, string Value)[] values) =>
        new(values.GroupBy(v => v.Name).ToDictionary(g => g.Key, g => new StringValues(g.Select(v => v.Value).ToArray())));
}
