using System.Text.Json;
using System.Text.Json.Nodes;
using NodeAgent.Runtime.Common.Processes;

namespace NodeAgent.Runtime.Network.Cni;

/// <summary>
/// Turns a failed plugin run into a <see cref="CniPluginException"/>: the spec's error JSON
/// (<c>{"code","msg","details"}</c> on stdout) when present, otherwise whatever the plugin printed.
/// </summary>
internal static class CniErrorParser
{
    public static CniPluginException Parse(string command, string plugin, string containerId, ProcessResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (TryParseErrorJson(result.StandardOutput, out var code, out var msg, out var details))
        {
            return new CniPluginException(command, plugin, containerId, code, msg, details);
        }

        var output = FirstNonEmpty(result.StandardError, result.StandardOutput) ?? "no output";
        return new CniPluginException(command, plugin, containerId, 0, $"exit code {result.ExitCode}: {output}", null);
    }

    public static bool TryParseErrorJson(string stdout, out int code, out string msg, out string? details)
    {
        code = 0;
        msg = "";
        details = null;
        if (string.IsNullOrWhiteSpace(stdout))
        {
            return false;
        }

        try
        {
            if (JsonNode.Parse(stdout) is not JsonObject json
                || json["code"] is not JsonValue codeValue
                || !codeValue.TryGetValue(out code))
            {
                return false;
            }

            msg = CniJson.OptionalString(json, "msg") ?? "(no message)";
            details = CniJson.OptionalString(json, "details") is { Length: > 0 } text ? text : null;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? FirstNonEmpty(params string[] texts)
        => texts.Select(t => t.Trim()).FirstOrDefault(t => t.Length > 0);
}
