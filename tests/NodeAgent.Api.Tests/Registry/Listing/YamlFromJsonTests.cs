using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using NodeAgent.Api.Http;
using NodeAgent.Api.Registry.Listing;
using NodeAgent.Api.Tests.Resources;
using YamlDotNet.RepresentationModel;

namespace NodeAgent.Api.Tests.Registry.Listing;

/// <summary>YAML responses are written from the stored JSON without reflection (so the Native AOT build serves them).</summary>
public sealed class YamlFromJsonTests
{
    public static TheoryData<string> ServedTypes() => ServedModelsJsonContextTests.ServedTypes();

    [Theory]
    [MemberData(nameof(ServedTypes))]
    public void Every_served_kind_reads_back_as_the_same_json(string typeName)
    {
        var type = typeof(V1Pod).Assembly.GetType(typeName, throwOnError: true)!;
        var json = JsonNode.Parse(KubernetesJson.Serialize(ModelFiller.Fill(type)))!;

        var yaml = YamlFromJson.Write(json);

        Assert.True(JsonNode.DeepEquals(json, RequestBody.ParseYaml(yaml)), yaml);
    }

    [Fact]
    public void Strings_that_a_yaml_reader_would_take_for_another_type_are_quoted_and_keys_are_sorted()
    {
        string[] tricky =
        [
            "", "~", "null", "true", "False", "yes", "No", "on", "OFF", "y", "n", "0", "-1", "+7", "0755", "0o17", "0x1F",
            "0b101", "1_000", "12:30", "1.5", ".5", "1e3", "-2E-4", ".inf", "-.Inf", ".NaN", "2026-11-29", "2026-11-29T10:11:12Z",
            "100m", "1Gi", "v1", "a: b", "- x", "#c", "x #y", " lead", "trail ", "\"quoted\"", "'single'", "@at", "`tick`",
            "{a}", "[b]", "*star", "&amp", "!tag", "%pct", "|pipe", ">gt", "ünïcode ✓", "tab\there", "line1\nline2\n",
        ];
        var data = new JsonObject();
        for (var i = 0; i < tricky.Length; i++)
        {
            data[$"k{i:00}"] = tricky[i];
        }

        var configMap = new JsonObject { ["kind"] = "ConfigMap", ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["name"] = "c" }, ["data"] = data };

        var yaml = YamlFromJson.Write(configMap);

        Assert.StartsWith("apiVersion: v1\ndata:\n", yaml.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var values = ((YamlMappingNode)((YamlMappingNode)Load(yaml).RootNode).Children["data"]).Children;
        for (var i = 0; i < tricky.Length; i++)
        {
            var scalar = (YamlScalarNode)values[$"k{i:00}"];
            Assert.Equal(tricky[i], scalar.Value);
            Assert.True(
                scalar.Style != YamlDotNet.Core.ScalarStyle.Plain || !LooksTyped(tricky[i]),
                $"{tricky[i]} was written plain: {yaml}");
        }

        Assert.True(JsonNode.DeepEquals(configMap, RequestBody.ParseYaml(yaml)));
    }

    [Fact]
    public void Numbers_bools_and_nested_lists_keep_their_types()
    {
        var obj = JsonNode.Parse("""{"spec":{"replicas":3,"paused":false,"ratio":0.25,"ports":[{"port":80},{"port":443}],"empty":[],"none":{}}}""")!;

        var yaml = YamlFromJson.Write(obj);

        Assert.Contains("replicas: 3\n", yaml.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("paused: false\n", yaml.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(obj, RequestBody.ParseYaml(yaml)), yaml);
    }

    private static YamlDocument Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents[0];
    }

    // What a YAML 1.1 reader resolves to a non-string when plain (the ones above that must not stay plain).
    private static bool LooksTyped(string value) => value is "" or "~" or "null" or "true" or "False" or "yes" or "No" or "on"
        or "OFF" or "y" or "n" or "0" or "-1" or "+7" or "0755" or "0o17" or "0x1F" or "0b101" or "1_000" or "12:30" or "1.5"
        or ".5" or "1e3" or "-2E-4" or ".inf" or "-.Inf" or ".NaN" or "2026-11-29" or "2026-11-29T10:11:12Z";
}
