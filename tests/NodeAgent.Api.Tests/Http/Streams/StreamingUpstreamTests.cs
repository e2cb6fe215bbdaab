using NodeAgent.Api.Http.Streams;

namespace NodeAgent.Api.Tests.Http.Streams;

/// <summary>The small protocol pieces of relaying: the runtime's response head and the websocket handshake.</summary>
public sealed class StreamingUpstreamTests
{
    [Fact]
    public void The_runtime_response_head_gives_status_and_headers()
    {
        var (status, headers) = StreamingUpstream.ParseHead("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n");

        Assert.Equal(101, status);
        Assert.Contains(KeyValuePair.Create("X-Stream-Protocol-Version", "v4.channel.k8s.io"), headers);
        Assert.Equal(3, headers.Count);
    }

    [Fact]
    public void A_head_without_a_status_line_is_an_error()
    {
        Assert.Throws<IOException>(() => StreamingUpstream.ParseHead("garbage\r\n\r\n"));
    }

    [Fact]
    public void The_websocket_accept_key_is_rfc_6455s()
    {
        // The example of RFC 6455 §1.3.
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", SpdyTunnel.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
    }
}
