using System.Text.Json.Nodes;
using NodeAgent.Api.Http;

namespace NodeAgent.Api.Tests.Http;

public sealed class SelectorTests
{
    private static JsonObject Labelled(string labels) => new() { ["metadata"] = new JsonObject { ["labels"] = JsonNode.Parse(labels) } };

    [Theory]
    [InlineData("app=web", true)]
    [InlineData("app==web,tier!=db", true)]
    [InlineData("app in (web,api)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("tier", true)]
    [InlineData("!tier", false)]
    [InlineData("!missing,app", true)]
    [InlineData("", true)]
    public void Label_selectors_match_as_upstream(string selector, bool matches) =>
        Assert.Equal(matches, SimpleLabelSelector.Parse(selector).Matches(Labelled("""{"app":"web","tier":"front"}""")));

    [Fact]
    public void Scale_selector_strings_join_labels_and_expressions_sorted()
    {
        var selector = JsonNode.Parse("""
            {"matchLabels":{"tier":"front","app":"web"},
             "matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]},{"key":"canary","operator":"DoesNotExist"}]}
            """)!.AsObject();

        Assert.Equal("!canary,app=web,env in (dev,prod),tier=front", ResourceHandlers.SelectorString(selector));
    }
}
