using NodeAgent.Api.Registry.Listing;

namespace NodeAgent.Api.Tests.Registry.Listing;

public sealed class SelectorTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["app"] = "web",
        ["tier"] = "front",
        ["example.com/team"] = "a",
        ["replicas"] = "3",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app = web", true)]
    [InlineData("app=db", false)]
    [InlineData("app!=db", true)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (web,db)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("app notin (db)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("missing notin (web)", true)]
    [InlineData("missing in (web)", false)]
    [InlineData("app", true)]
    [InlineData("!app", false)]
    [InlineData("!missing", true)]
    [InlineData("app,tier=front", true)]
    [InlineData("app,tier=back", false)]
    [InlineData("example.com/team=a", true)]
    [InlineData("replicas>2", true)]
    [InlineData("replicas<2", false)]
    [InlineData("missing=", false)]
    [InlineData("app in (in,notin,web)", true)]
    public void Label_selectors_match_as_upstream(string selector, bool expected)
        => Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels));

    [Theory]
    [InlineData("app in web", "unable to parse requirement: found 'web' expected: '('")]
    [InlineData("app in (web", "unable to parse requirement: found '', expected: ',' or ')'")]
    [InlineData("app web", "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("app=web x", "found 'x', expected: ',' or 'end of string'")]
    [InlineData("=web", "found '=', expected: !, identifier, or 'end of string'")]
    [InlineData("app=web,", "found '', expected: identifier after ','")]
    [InlineData("app=(", "unable to parse requirement: found '(', expected: identifier")]
    [InlineData("app=w$b", "unable to parse requirement: values[0]: Invalid value: \"w$b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")]
    [InlineData("a$=b", "unable to parse requirement: <nil>: Invalid value: \"a$\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")]
    [InlineData("replicas>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer")]
    public void Bad_label_selectors_fail_with_upstream_messages(string selector, string message)
        => Assert.Equal(message, Assert.Throws<FormatException>(() => LabelSelector.Parse(selector)).Message);

    [Theory]
    [InlineData("metadata.name=a", true)]
    [InlineData("metadata.name==a", true)]
    [InlineData("metadata.name!=a", false)]
    [InlineData("metadata.name=b", false)]
    [InlineData("metadata.name=a,status.phase=Running", true)]
    [InlineData("metadata.name=a,status.phase!=Running", false)]
    [InlineData("spec.nodeName=", true)]
    [InlineData(@"spec.weird=x\,y\=z", true)]
    public void Field_selectors_match(string selector, bool expected)
    {
        var fields = new Dictionary<string, string?>
        {
            ["metadata.name"] = "a",
            ["status.phase"] = "Running",
            ["spec.nodeName"] = "",
            ["spec.weird"] = "x,y=z",
        };
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(f => fields.GetValueOrDefault(f)));
    }

    [Theory]
    [InlineData("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'")]
    [InlineData(@"a=b\x", @"invalid field selector: invalid escape sequence: \x")]
    [InlineData("a=b=c", "invalid field selector: unescaped character in value: =")]
    public void Bad_field_selectors_fail_with_upstream_messages(string selector, string message)
        => Assert.Equal(message, Assert.Throws<FormatException>(() => FieldSelector.Parse(selector)).Message);
}
