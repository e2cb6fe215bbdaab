using System.Globalization;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>The operators of a label selector requirement (upstream's selection.Operator).</summary>
internal enum LabelOperator
{
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// <summary>One requirement of a label selector: <c>key op values</c>.</summary>
internal sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.In => has && Values.Contains(value!, StringComparer.Ordinal),
            LabelOperator.NotEquals or LabelOperator.NotIn => !has || !Values.Contains(value!, StringComparer.Ordinal),
            LabelOperator.Exists => has,
            LabelOperator.DoesNotExist => !has,
            LabelOperator.GreaterThan => has && Compare(value!) > 0,
            LabelOperator.LessThan => has && Compare(value!) < 0,
            _ => false,
        };
    }

    // Gt/Lt compare integers; a label that is not one never matches.
    private int Compare(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual)
            ? actual.CompareTo(long.Parse(Values[0], CultureInfo.InvariantCulture))
            : 0;
}

/// <summary>
/// A parsed <c>labelSelector</c> query parameter: requirements ANDed together (comma). An empty selector
/// matches everything. <see cref="Parse"/> follows upstream's grammar and error messages.
/// </summary>
internal sealed class LabelSelector
{
    private LabelSelector(IReadOnlyList<LabelRequirement> requirements)
    {
        Requirements = requirements;
    }

    public static LabelSelector Everything { get; } = new([]);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>Parses a selector; a syntax or validation error throws <see cref="FormatException"/> with upstream's message.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = LabelSelectorParser.Parse(text);
        return new LabelSelector([.. requirements.OrderBy(r => r.Key, StringComparer.Ordinal)]);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }
}
