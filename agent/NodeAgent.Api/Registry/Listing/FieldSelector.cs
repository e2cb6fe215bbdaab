using System.Text;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>One term of a field selector: <c>field=value</c>, <c>field==value</c> or <c>field!=value</c>.</summary>
internal sealed record FieldRequirement(string Field, string Value, bool Negated)
{
    public bool Matches(string? actual) => Negated ? !string.Equals(actual ?? "", Value, StringComparison.Ordinal)
        : string.Equals(actual ?? "", Value, StringComparison.Ordinal);
}

/// <summary>
/// A parsed <c>fieldSelector</c>: terms ANDed by commas, values escaped with <c>\</c> (<c>\,</c>, <c>\=</c>,
/// <c>\\</c>), as upstream's fields.ParseSelector. Which fields exist is the kind's business
/// (<see cref="Resources.IResourceStrategy.SelectableFields"/>).
/// </summary>
internal sealed class FieldSelector
{
    private static readonly string[] Operators = ["!=", "==", "="];

    private FieldSelector(IReadOnlyList<FieldRequirement> requirements)
    {
        Requirements = requirements;
    }

    public static FieldSelector Everything { get; } = new([]);

    public IReadOnlyList<FieldRequirement> Requirements { get; }

    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>Parses a selector; an error throws <see cref="FormatException"/> with upstream's message.</summary>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }

        var requirements = new List<FieldRequirement>();
        foreach (var term in SplitTerms(text).Order(StringComparer.Ordinal))
        {
            if (term.Length == 0)
            {
                continue;
            }

            if (!TrySplitTerm(term, out var field, out var op, out var rawValue))
            {
                throw new FormatException($"invalid selector: '{text}'; can't understand '{term}'");
            }

            requirements.Add(new FieldRequirement(field, Unescape(rawValue), op == "!="));
        }

        return new FieldSelector(requirements);
    }

    /// <summary>The selector with <paramref name="field"/>=<paramref name="value"/> added (a watch on one name).</summary>
    public FieldSelector And(string field, string value) => new([.. Requirements, new FieldRequirement(field, value, Negated: false)]);

    public bool Matches(Func<string, string?> fieldValue)
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(fieldValue(requirement.Field)))
            {
                return false;
            }
        }

        return true;
    }

    // Splits on commas that are not escaped.
    private static List<string> SplitTerms(string text)
    {
        var terms = new List<string>();
        var start = 0;
        var escaped = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (escaped)
            {
                escaped = false;
            }
            else if (text[i] == '\\')
            {
                escaped = true;
            }
            else if (text[i] == ',')
            {
                terms.Add(text[start..i]);
                start = i + 1;
            }
        }

        terms.Add(text[start..]);
        return terms;
    }

    // The first operator occurrence splits (no escaping on the left-hand side), trying != before == before =.
    private static bool TrySplitTerm(string term, out string field, out string op, out string value)
    {
        for (var i = 0; i < term.Length; i++)
        {
            foreach (var candidate in Operators)
            {
                if (string.CompareOrdinal(term, i, candidate, 0, candidate.Length) == 0)
                {
                    field = term[..i];
                    op = candidate;
                    value = term[(i + candidate.Length)..];
                    return true;
                }
            }
        }

        field = op = value = "";
        return false;
    }

    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal) && !value.Contains('=', StringComparison.Ordinal)
            && !value.Contains(',', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\')
            {
                if (i + 1 >= value.Length || value[i + 1] is not ('\\' or ',' or '='))
                {
                    var sequence = i + 1 < value.Length ? value.Substring(i, 2) : "\\";
                    throw new FormatException($"invalid field selector: invalid escape sequence: {sequence}");
                }

                result.Append(value[++i]);
            }
            else if (c is ',' or '=')
            {
                throw new FormatException($"invalid field selector: unescaped character in value: {c}");
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
