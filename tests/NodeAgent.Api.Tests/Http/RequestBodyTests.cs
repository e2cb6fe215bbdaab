using System.Text;
using System.Text.Json.Nodes;
using NodeAgent.Api.Http;

namespace NodeAgent.Api.Tests.Http;

public sealed class RequestBodyTests
{
    [Fact]
    public void Yaml_scalars_become_json_types_like_upstream_conversion()
    {
        var yaml = "a: 1\nb: true\nc: \"1\"\nd: ~\ne: 1.5\nf: text\ng: [x, 2]\n";

        var json = RequestBody.Parse(Encoding.UTF8.GetBytes(yaml), allowYaml: true);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":1,"b":true,"c":"1","d":null,"e":1.5,"f":"text","g":["x",2]}"""), json), json.ToJsonString());
    }

    [Fact]
    public void Duplicate_json_keys_keep_the_last_value_and_are_reported_with_their_path()
    {
        var duplicates = new List<string>();

        var json = RequestBody.ParseJson("""{"spec":{"a":1,"list":[{"k":1,"k":2}],"a":3}}"""u8, duplicates);

        Assert.Equal(3, json["spec"]!["a"]!.GetValue<long>());
        Assert.Equal(2, json["spec"]!["list"]![0]!["k"]!.GetValue<long>());
        Assert.Equal(["spec.list[0].k", "spec.a"], duplicates);
    }

    [Fact]
    public void Duplicate_yaml_keys_are_rejected_with_their_position()
    {
        var error = Assert.Throws<ApiException>(() => RequestBody.Parse(Encoding.UTF8.GetBytes("a: 1\nb: 2\na: 3\n"), allowYaml: true));

        Assert.Equal(400, error.Code);
        Assert.StartsWith("error converting YAML to JSON: yaml: line 3, column 1: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("uplicate key", error.Message, StringComparison.Ordinal);
    }
}
