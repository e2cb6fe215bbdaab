using System.Text.Json.Nodes;

namespace NodeAgent.Api.Tests.Patching;

/// <summary>Test JSON written with single quotes, so cases stay readable inline.</summary>
internal static class Json
{
    public static JsonNode Parse(string relaxed) => JsonNode.Parse(relaxed.Replace('\'', '"'))!;

    public static void Equal(string expected, JsonNode? actual, string because = "")
    {
        var want = Parse(expected);
        Assert.True(JsonNode.DeepEquals(want, actual), $"{because}: expected {want.ToJsonString()}\n  actual {actual?.ToJsonString()}");
    }
}
