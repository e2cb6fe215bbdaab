using NodeAgent.Configuration;

namespace NodeAgent.Tests.Configuration;

public sealed class ConfigFileReaderTests
{
    [Fact]
    public void Reads_scalars_and_lists()
    {
        var values = ConfigFileReader.Parse("data-dir: /d\ninsecure-registry:\n  - 127.0.0.1:5000\n  - 127.0.0.1:5001\n", "c.yaml");

        Assert.Equal(["/d"], values["data-dir"].Values);
        Assert.Equal(["127.0.0.1:5000", "127.0.0.1:5001"], values["insecure-registry"].Values);
        Assert.All(values.Values, v => Assert.Equal(ConfigSource.File, v.Source));
    }

    [Fact]
    public void Empty_file_is_no_settings()
    {
        Assert.Empty(ConfigFileReader.Parse("", "c.yaml"));
        Assert.Empty(ConfigFileReader.Parse("# only a comment\n", "c.yaml"));
    }

    [Theory]
    [InlineData("data-dir: /x\nbridge: [unclosed\n", "c.yaml:3:1: invalid YAML")]
    [InlineData("data-dir: /x\n  bad: [\n", "c.yaml:2:6: invalid YAML")]
    [InlineData("data-dir: /x\nfoo: 1\n", "c.yaml:2:1: unknown setting 'foo'")]
    [InlineData("- a\n- b\n", "c.yaml:1:1: expected a mapping")]
    [InlineData("bridge:\n  - a\n", "c.yaml:2:3: 'bridge' must be a single value")]
    [InlineData("insecure-registry:\n  nested: map\n", "c.yaml:2:3: 'insecure-registry' must be a string or a list of strings")]
    [InlineData("config: other.yaml\n", "c.yaml:1:1: 'config' cannot be set inside a config file")]
    public void Errors_name_file_line_and_column(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigFileReader.Parse(yaml, "c.yaml"));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
