using System.Net;
using k8s.Models;
using NodeAgent.Api.Http;
using NodeAgent.Api.Resources;

namespace NodeAgent.Api.Tests.Http;

public sealed class MetadataValidationTests
{
    private static readonly IReadOnlyList<ResourceDefinition> Resources =
        BuiltinResources.All(NodeAgent.Api.Tests.Resources.Core.StrategyKit.UnitContext());

    private static ResourceDefinition Resource(string plural) => Resources.First(r => r.Plural == plural);

    [Theory]
    [InlineData("configmaps", "my.config-1", true)]
    [InlineData("configmaps", "My.Config", false)]
    [InlineData("namespaces", "team-a", true)]
    [InlineData("namespaces", "team.a", false)]
    [InlineData("services", "1web", false)]
    [InlineData("services", "web-1", true)]
    public void Names_follow_the_kind_rule(string plural, string name, bool valid)
    {
        var errors = MetadataValidation.Validate(new V1ObjectMeta { Name = name }, Resource(plural));

        Assert.Equal(valid, errors.Count == 0);
        Assert.All(errors, e => Assert.Equal("metadata.name", e.Field));
    }

    [Fact]
    public void Label_keys_values_and_annotation_sizes_are_checked()
    {
        var meta = new V1ObjectMeta
        {
            Name = "x",
            Labels = new Dictionary<string, string> { ["example.com/ok"] = "v", ["/bad"] = "v", ["k"] = new string('v', 64) },
            Annotations = new Dictionary<string, string> { ["big"] = new string('a', 256 * 1024) },
        };

        var errors = MetadataValidation.Validate(meta, Resource("configmaps"));

        Assert.Equal(
            ["metadata.labels: Invalid value: \"/bad\": prefix part must be non-empty",
             "metadata.labels: Invalid value: \"" + new string('v', 64) + "\": must be no more than 63 characters",
             "metadata.annotations: Too long: must have at most 262144 bytes"],
            errors.Select(e => $"{e.Field}: {e.Message}"));
    }

    [Fact]
    public void A_name_or_generateName_is_required()
    {
        var errors = MetadataValidation.Validate(new V1ObjectMeta(), Resource("pods"));

        var error = Assert.Single(errors);
        Assert.Equal("Required value: name or generateName is required", error.Message);
    }
}
