using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>
/// Writes a JSON object as the YAML document of a response (<c>Accept: application/yaml</c>), event by event with
/// YamlDotNet's emitter: no reflection, so the Native AOT build serves YAML too (the client's <c>KubernetesYaml</c> needs
/// metadata tokens AOT lacks). As kube-apiserver's YAML (JSON converted to YAML): keys sorted, and a string that a YAML
/// 1.1 or 1.2 reader would take for something else (null, a bool such as <c>yes</c>, a number, a timestamp) is
/// double-quoted, so it reads back as the same string; a multi-line string is a literal block; everything else is left
/// to the emitter, which quotes what cannot be plain.
/// </summary>
internal static partial class YamlFromJson
{
    public static string Write(JsonNode? root)
    {
        var text = new StringBuilder();
        using var writer = new StringWriter(text, CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        WriteNode(emitter, root);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void WriteNode(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                emitter.Emit(new MappingStart());
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    emitter.Emit(StringScalar(key));
                    WriteNode(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Any));
                foreach (var item in array)
                {
                    WriteNode(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                emitter.Emit(StringScalar(value.GetValue<string>()));
                break;
            case JsonValue value:
                // Numbers and booleans as JSON wrote them; true/false are YAML's too.
                emitter.Emit(new Scalar(value.ToJsonString()));
                break;
            default:
                emitter.Emit(new Scalar("null"));
                break;
        }
    }

    private static Scalar StringScalar(string value)
    {
        var style = ReadsAsOtherType().IsMatch(value) ? ScalarStyle.DoubleQuoted
            : value.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
            : ScalarStyle.Any;
        return new Scalar(AnchorName.Empty, TagName.Empty, value, style, isPlainImplicit: true, isQuotedImplicit: true);
    }

    // Plain scalars that YAML 1.1 (Go's yaml.v2, which kubectl reads with) or 1.2 resolves to another type: the empty
    // string and the null words; the bool words, y/n and on/off included; integers in any base, with underscores or in
    // base 60; floats, infinities and NaN; and anything that starts as a date.
    [GeneratedRegex("""
        ^(?:|~|null|Null|NULL
        |[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
        |[-+]?(?:0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*)
        |[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
        |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?)$
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex ReadsAsOtherType();
}
