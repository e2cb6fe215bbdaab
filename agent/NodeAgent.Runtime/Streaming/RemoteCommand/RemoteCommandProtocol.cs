using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeAgent.Runtime.Streaming.RemoteCommand;

/// <summary>
/// The Kubernetes remotecommand protocol versions (k8s.io/apimachinery/pkg/util/remotecommand) and
/// their channel/stream numbering. v4 sends a metav1.Status on the error stream (exit code in
/// details.causes, reason ExitCode); v1–v3 send plain text; v5 (websocket only) adds close-stdin.
/// </summary>
internal static class RemoteCommandProtocol
{
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";
    public const string V3 = "v3.channel.k8s.io";
    public const string V2 = "v2.channel.k8s.io";
    public const string V1 = "channel.k8s.io";

    public const byte StdinChannel = 0;
    public const byte StdoutChannel = 1;
    public const byte StderrChannel = 2;
    public const byte ErrorChannel = 3;
    public const byte ResizeChannel = 4;
    public const byte CloseChannel = 255;

    /// <summary>The SPDY streamType header values.</summary>
    public const string StreamError = "error";
    public const string StreamStdin = "stdin";
    public const string StreamStdout = "stdout";
    public const string StreamStderr = "stderr";
    public const string StreamResize = "resize";

    /// <summary>Most preferred first; only websocket speaks v5.</summary>
    public static readonly string[] WebSocketProtocols = [V5, V4, V3, V2, V1];

    public static readonly string[] SpdyProtocols = [V4, V3, V2, V1];

    public static bool SendsStatusJson(string protocol) => protocol is V4 or V5;

    /// <summary>Parses one resize message: <c>{"Width":80,"Height":24}</c>.</summary>
    public static TerminalSize? ParseResize(ReadOnlySpan<byte> json)
    {
        try
        {
            var node = JsonNode.Parse(json) as JsonObject;
            var width = (node?["Width"] ?? node?["width"])?.GetValue<int>() ?? 0;
            var height = (node?["Height"] ?? node?["height"])?.GetValue<int>() ?? 0;
            return width is > 0 and <= ushort.MaxValue && height is > 0 and <= ushort.MaxValue ? new TerminalSize((ushort)width, (ushort)height) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A terminal size in character cells.</summary>
public sealed record TerminalSize(ushort Width, ushort Height);

/// <summary>How a remote command ended, as the error stream reports it.</summary>
internal sealed record RemoteCommandOutcome(int? ExitCode, string? Error)
{
    public static readonly RemoteCommandOutcome Success = new(0, null);

    public static RemoteCommandOutcome Exited(int code) => new(code, null);

    public static RemoteCommandOutcome Failed(string message) => new(null, message);

    /// <summary>The bytes for the error stream in <paramref name="protocol"/>, or empty for "nothing to say".</summary>
    public byte[] Encode(string protocol)
    {
        if (!RemoteCommandProtocol.SendsStatusJson(protocol))
        {
            var text = Error ?? (ExitCode is 0 or null ? null : $"command terminated with non-zero exit code: exit status {ExitCode}");
            return text is null ? [] : System.Text.Encoding.UTF8.GetBytes(text);
        }

        var status = new JsonObject { ["metadata"] = new JsonObject() };
        if (Error is not null)
        {
            status["status"] = "Failure";
            status["message"] = Error;
            status["reason"] = "InternalError";
            status["code"] = 500;
        }
        else if (ExitCode is 0 or null)
        {
            status["status"] = "Success";
        }
        else
        {
            status["status"] = "Failure";
            status["message"] = $"command terminated with non-zero exit code: exit status {ExitCode}";
            status["reason"] = "NonZeroExitCode";
            status["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = ExitCode.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            };
        }

        return System.Text.Encoding.UTF8.GetBytes(status.ToJsonString());
    }
}
