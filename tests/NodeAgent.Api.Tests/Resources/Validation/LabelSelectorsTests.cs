using k8s.Models;
using NodeAgent.Api.Resources;
using NodeAgent.Api.Resources.Validation;

namespace NodeAgent.Api.Tests.Resources.Validation;

public sealed class LabelSelectorsTests
{
    private static readonly V1LabelSelector Mixed = new()
    {
        MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
        MatchExpressions =
        [
            new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["b", "a"] },
            new V1LabelSelectorRequirement { Key = "canary", OperatorProperty = "DoesNotExist" },
        ],
    };

    [Fact]
    public void Formats_as_kubectl_prints_selectors()
    {
        Assert.Equal("app=web,!canary,tier in (a,b)", LabelSelectors.Format(Mixed));
        Assert.Equal("<none>", LabelSelectors.Format(new V1LabelSelector()));
    }

    [Theory]
    [InlineData("app=web,tier=a", true)]
    [InlineData("app=web,tier=c", false)]
    [InlineData("app=web,tier=a,canary=yes", false)]
    [InlineData("tier=a", false)]
    public void Matches_labels(string labels, bool matches)
    {
        var set = labels.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(matches, LabelSelectors.Matches(Mixed, set));
    }

    [Fact]
    public void A_null_selector_matches_nothing_and_an_empty_one_everything()
    {
        Assert.False(LabelSelectors.Matches(null, new Dictionary<string, string>()));
        Assert.True(LabelSelectors.Matches(new V1LabelSelector(), new Dictionary<string, string> { ["a"] = "b" }));
    }

    [Fact]
    public void Go_formatting_of_selectors_and_maps()
    {
        Assert.Equal(
            "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}",
            GoValue.Selector(new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } }).ToString());
        Assert.Equal("map[string]string{\"a\":\"1\", \"b\":\"2\"}", GoValue.Map(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" }).ToString());
        Assert.Equal("map[string]string(nil)", GoValue.Map(null).ToString());
    }

    [Fact]
    public void Validation_reports_bad_operators_and_missing_values()
    {
        var selector = new V1LabelSelector
        {
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "a", OperatorProperty = "In" },
                new V1LabelSelectorRequirement { Key = "b", OperatorProperty = "Exists", Values = ["x"] },
                new V1LabelSelectorRequirement { Key = "c", OperatorProperty = "Near" },
            ],
        };
        var errors = LabelSelectors.Validate(selector, "spec.selector").ToList();
        Manifests.HasError(errors, "spec.selector.matchExpressions[0].values", "FieldValueRequired", "Required value: must be specified when `operator` is 'In' or 'NotIn'");
        Manifests.HasError(errors, "spec.selector.matchExpressions[1].values", "FieldValueForbidden", "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        Manifests.HasError(errors, "spec.selector.matchExpressions[2].operator", "FieldValueInvalid", "Invalid value: \"Near\": not a valid selector operator");
    }

    [Fact]
    public void Not_found_errors_print_as_upstream()
    {
        var error = new FieldError(FieldErrorType.NotFound, "spec.containers[0].volumeMounts[0].name", BadValue: "data");
        Assert.Equal("FieldValueNotFound", error.Reason);
        Assert.Equal("Not found: \"data\"", error.Message);
    }
}
