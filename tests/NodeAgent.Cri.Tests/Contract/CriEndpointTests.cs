using NodeAgent.Cri;

namespace NodeAgent.Cri.Tests.Contract;

public sealed class CriEndpointTests
{
    [Theory]
    [InlineData("unix:///run/containerd/containerd.sock", "/run/containerd/containerd.sock")]
    [InlineData("unix:///run/nodeagent/cri.sock", "/run/nodeagent/cri.sock")]
    [InlineData("UNIX:///tmp/x.sock", "/tmp/x.sock")]
    [InlineData("unix:///var/run/crio/../crio/crio.sock", "/var/run/crio/../crio/crio.sock")]
    public void Parse_accepts_absolute_unix_socket_paths(string value, string expectedPath)
    {
        var endpoint = CriEndpoint.Parse(value);

        Assert.Equal(expectedPath, endpoint.SocketPath);
        Assert.Equal("unix://" + expectedPath, endpoint.ToString());
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:10010", "only unix sockets")]
    [InlineData("npipe:////./pipe/containerd-containerd", "only unix sockets")]
    [InlineData("/run/containerd/containerd.sock", "only unix sockets")]
    [InlineData("http://localhost/run/x.sock", "only unix sockets")]
    [InlineData("unix://run/containerd/containerd.sock", "absolute")]
    [InlineData("unix://", "absolute")]
    [InlineData("unix:///", "directory")]
    [InlineData("unix:///run/containerd/", "directory")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    public void Parse_rejects_bad_endpoints_naming_the_value(string value, string reason)
    {
        var error = Assert.Throws<FormatException>(() => CriEndpoint.Parse(value));

        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(CriEndpoint.TryParse(value, out _));
    }

    [Fact]
    public void Parse_rejects_paths_too_long_for_a_socket_address()
    {
        var value = "unix:///" + new string('a', CriEndpoint.MaxSocketPathBytes);

        var error = Assert.Throws<FormatException>(() => CriEndpoint.Parse(value));

        Assert.Contains("longer than 107 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_accepts_the_longest_socket_path()
    {
        var path = "/" + new string('a', CriEndpoint.MaxSocketPathBytes - 1);

        Assert.Equal(path, CriEndpoint.Parse("unix://" + path).SocketPath);
    }

    [Fact]
    public void Parse_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => CriEndpoint.Parse(null!));
        Assert.False(CriEndpoint.TryParse(null, out _));
    }

    [Fact]
    public void Endpoints_with_the_same_path_are_equal()
    {
        Assert.Equal(CriEndpoint.Parse("unix:///a.sock"), CriEndpoint.Parse("UNIX:///a.sock"));
        Assert.NotEqual(CriEndpoint.Parse("unix:///a.sock"), CriEndpoint.Parse("unix:///b.sock"));
    }

    [Fact]
    public void Connect_rejects_a_bad_endpoint_before_any_io()
    {
        var error = Assert.Throws<FormatException>(() => CriClientFactory.Connect("tcp://localhost:1234"));

        Assert.Contains("tcp://localhost:1234", error.Message, StringComparison.Ordinal);
    }
}
