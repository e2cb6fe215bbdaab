using System.Globalization;
using System.Text;
using k8s.Models;

namespace NodeAgent.Api.Resources.Validation;

/// <summary>
/// A bad value that is not a string or number: upstream prints those with Go's <c>%#v</c>
/// (e.g. <c>map[string]string{"app":"web"}</c>), and clients match on that text, so we print the same.
/// </summary>
public sealed class GoValue(string text)
{
    public override string ToString() => text;

    /// <summary><c>map[string]string{"a":"1", "b":"2"}</c> (keys sorted as Go prints maps), or <c>map[string]string(nil)</c>.</summary>
    public static GoValue Map(IDictionary<string, string>? map) => new(FormatMap(map));

    /// <summary>A <c>metav1.LabelSelector</c> as Go's <c>%#v</c> prints it.</summary>
    public static GoValue Selector(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return new GoValue("null");
        }

        var text = new StringBuilder("v1.LabelSelector{MatchLabels:")
            .Append(FormatMap(selector.MatchLabels))
            .Append(", MatchExpressions:");
        if (selector.MatchExpressions is null)
        {
            text.Append("[]v1.LabelSelectorRequirement(nil)");
        }
        else
        {
            text.Append("[]v1.LabelSelectorRequirement{")
                .AppendJoin(", ", selector.MatchExpressions.Select(FormatRequirement))
                .Append('}');
        }

        return new GoValue(text.Append('}').ToString());
    }

    /// <summary>An <c>intstr.IntOrString</c> as Go's <c>%#v</c> prints it (Type 0 is an int, 1 a string).</summary>
    public static GoValue IntOrString(IntOrString? value)
    {
        var text = value?.Value ?? "";
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? new GoValue(string.Create(CultureInfo.InvariantCulture, $"intstr.IntOrString{{Type:0, IntVal:{number}, StrVal:\"\"}}"))
            : new GoValue($"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{Quote(text)}}}");
    }

    /// <summary>A Go string literal.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when c < 32 => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }

    private static string FormatRequirement(V1LabelSelectorRequirement r)
    {
        var values = r.Values is null ? "[]string(nil)" : "[]string{" + string.Join(", ", r.Values.Select(Quote)) + "}";
        return $"v1.LabelSelectorRequirement{{Key:{Quote(r.Key ?? "")}, Operator:{Quote(r.OperatorProperty ?? "")}, Values:{values}}}";
    }

    private static string FormatMap(IDictionary<string, string>? map) =>
        map is null
            ? "map[string]string(nil)"
            : "map[string]string{" + string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Quote(p.Key) + ":" + Quote(p.Value ?? ""))) + "}";
}
