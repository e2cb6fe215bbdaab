using NodeAgent.Api.Resources.Validation;

namespace NodeAgent.Api.Tests.Resources.Validation;

public sealed class NameRulesTests
{
    [Theory]
    [InlineData("web", true)]
    [InlineData("web-1", true)]
    [InlineData("1abc", true)]
    [InlineData("Web", false)]
    [InlineData("-web", false)]
    [InlineData("web_1", false)]
    [InlineData("a.b", false)]
    public void Dns1123_labels(string value, bool valid) => Assert.Equal(valid, NameRules.Dns1123Label(value).Count == 0);

    [Fact]
    public void Dns1123_label_message_is_upstreams()
    {
        var messages = NameRules.Dns1123Label("My_Name");
        Assert.Equal(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            Assert.Single(messages));
        Assert.Contains("must be no more than 63 characters", NameRules.Dns1123Label(new string('a', 64)));
    }

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("a.b-c.d", true)]
    [InlineData("a..b", false)]
    [InlineData("A.com", false)]
    public void Dns1123_subdomains(string value, bool valid) => Assert.Equal(valid, NameRules.Dns1123Subdomain(value).Count == 0);

    [Theory]
    [InlineData("http", new string[0])]
    [InlineData("web-80", new string[0])]
    [InlineData("a-very-long-port-name", new[] { "must be no more than 15 characters" })]
    [InlineData("80", new[] { "must contain at least one letter (a-z)" })]
    [InlineData("a--b", new[] { "must not contain consecutive hyphens" })]
    [InlineData("-ab", new[] { "must not begin or end with a hyphen" })]
    [InlineData("HTTP", new[] { "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)" })]
    public void Port_names(string value, string[] messages) => Assert.Equal(messages, NameRules.PortName(value));

    [Theory]
    [InlineData("app", true)]
    [InlineData("app.kubernetes.io/name", true)]
    [InlineData("example.com/My_Name.1", true)]
    [InlineData("a/b/c", false)]
    [InlineData("/name", false)]
    [InlineData("-app", false)]
    public void Qualified_names(string value, bool valid) => Assert.Equal(valid, NameRules.QualifiedName(value).Count == 0);

    [Fact]
    public void Env_var_names_follow_the_relaxed_1_32_rule()
    {
        Assert.Empty(NameRules.EnvVarName("1.weird-NAME"));
        Assert.Equal("a valid environment variable name must consist only of printable ASCII characters other than '='", Assert.Single(NameRules.EnvVarName("A=B")));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(65535, true)]
    [InlineData(65536, false)]
    public void Port_numbers(long port, bool valid) => Assert.Equal(valid, NameRules.PortNumber(port).Count == 0);
}
