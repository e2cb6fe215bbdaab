using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NodeAgent.Configuration;

/// <summary>
/// Reads the YAML config file: a flat mapping of setting names to scalars (or lists of scalars
/// for repeatable settings). Every error names the file, line and column.
/// </summary>
public static class ConfigFileReader
{
    public static IReadOnlyDictionary<string, ConfigValue> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"config file {path}: {e.Message}", e);
        }

        return Parse(text, path);
    }

    public static IReadOnlyDictionary<string, ConfigValue> Parse(string yaml, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{path}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {FirstLine(e.Message)}", e);
        }

        var result = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return result;
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new ConfigException($"{path}:{second.Line}:{second.Column}: expected one YAML document, found several");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var start = stream.Documents[0].RootNode.Start;
            throw new ConfigException($"{path}:{start.Line}:{start.Column}: expected a mapping of setting names to values");
        }

        foreach (var (keyNode, valueNode) in root.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var key = ConfigKeys.Find(name)
                ?? throw new ConfigException($"{path}:{keyNode.Start.Line}:{keyNode.Start.Column}: unknown setting '{name}'");
            if (key == ConfigKeys.Config)
            {
                throw new ConfigException($"{path}:{keyNode.Start.Line}:{keyNode.Start.Column}: 'config' cannot be set inside a config file");
            }

            var origin = $"{path}:{valueNode.Start.Line}:{valueNode.Start.Column}";
            result[name] = new ConfigValue(key, ReadValues(key, valueNode, origin), ConfigSource.File, origin);
        }

        return result;
    }

    private static List<string> ReadValues(ConfigKey key, YamlNode node, string origin)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                return scalar.Value is null or "" && scalar.Style == ScalarStyle.Plain ? [] : [scalar.Value ?? string.Empty];
            case YamlSequenceNode sequence when key.IsList:
                var values = new List<string>();
                foreach (var item in sequence.Children)
                {
                    if (item is not YamlScalarNode { Value: { } value })
                    {
                        throw new ConfigException($"{origin}: '{key.Name}' must be a list of strings");
                    }

                    values.Add(value);
                }

                return values;
            default:
                var expected = key.IsList ? "a string or a list of strings" : "a single value";
                throw new ConfigException($"{origin}: '{key.Name}' must be {expected}");
        }
    }

    private static string FirstLine(string message)
    {
        var index = message.IndexOf('\n', StringComparison.Ordinal);
        return (index < 0 ? message : message[..index]).Trim();
    }
}
