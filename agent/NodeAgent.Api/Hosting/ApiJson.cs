using System.Text.Encodings.Web;
using System.Text.Json;

namespace NodeAgent.Api.Hosting;

/// <summary>How response JSON is written: compact, and with quotes and '&lt;' left readable as Go's encoder leaves them.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
