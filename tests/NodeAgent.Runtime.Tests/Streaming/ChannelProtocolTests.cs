using System.Text;
using System.Text.Json.Nodes;
using NodeAgent.Runtime.Streaming;
using NodeAgent.Runtime.Streaming.RemoteCommand;
using NodeAgent.Runtime.Streaming.WebSockets;

namespace NodeAgent.Runtime.Tests.Streaming;

public sealed class ChannelProtocolTests
{
    [Fact]
    public void A_channel_message_is_the_channel_byte_then_the_payload()
        => Assert.Equal([2, (byte)'h', (byte)'i'], WebSocketChannels.Frame(RemoteCommandProtocol.StderrChannel, "hi"u8));

    [Fact]
    public void A_non_zero_exit_is_a_v4_status_with_an_ExitCode_cause()
    {
        var status = JsonNode.Parse(RemoteCommandOutcome.Exited(7).Encode(RemoteCommandProtocol.V4))!;
        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal("NonZeroExitCode", (string?)status["reason"]);
        Assert.Equal("ExitCode", (string?)status["details"]!["causes"]![0]!["reason"]);
        Assert.Equal("7", (string?)status["details"]!["causes"]![0]!["message"]);
    }

    [Fact]
    public void Success_is_a_v5_status_and_plain_text_protocols_say_nothing()
    {
        Assert.Equal("Success", (string?)JsonNode.Parse(RemoteCommandOutcome.Success.Encode(RemoteCommandProtocol.V5))!["status"]);
        Assert.Empty(RemoteCommandOutcome.Success.Encode(RemoteCommandProtocol.V3));
        Assert.Equal("boom", Encoding.UTF8.GetString(RemoteCommandOutcome.Failed("boom").Encode(RemoteCommandProtocol.V2)));
    }

    [Fact]
    public void Resize_messages_are_kubernetes_TerminalSize_json()
    {
        Assert.Equal(new TerminalSize(120, 40), RemoteCommandProtocol.ParseResize("{\"Width\":120,\"Height\":40}"u8));
        Assert.Null(RemoteCommandProtocol.ParseResize("{\"Width\":0,\"Height\":40}"u8));
        Assert.Null(RemoteCommandProtocol.ParseResize("not json"u8));
    }

    [Fact]
    public void Tokens_work_once_only_for_their_kind_and_expire()
    {
        var time = new ManualTime();
        var tokens = new StreamingTokens(time, TimeSpan.FromMinutes(1), maxPending: 10);
        var request = new Cri.V1.ExecRequest { ContainerId = "c" };

        var once = tokens.Insert(request);
        Assert.Same(request, tokens.Consume<Cri.V1.ExecRequest>(once));
        Assert.Null(tokens.Consume<Cri.V1.ExecRequest>(once));

        var wrongKind = tokens.Insert(request);
        Assert.Null(tokens.Consume<Cri.V1.AttachRequest>(wrongKind));

        var late = tokens.Insert(request);
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(tokens.Consume<Cri.V1.ExecRequest>(late));
        Assert.Null(tokens.Consume<Cri.V1.ExecRequest>("unknown"));
    }

    [Fact]
    public void Tokens_are_unguessable_url_safe_strings()
    {
        var tokens = new StreamingTokens(new ManualTime(), TimeSpan.FromMinutes(1), maxPending: 10);
        var a = tokens.Insert(new object());
        var b = tokens.Insert(new object());
        Assert.NotEqual(a, b);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", a);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
