using System.Globalization;

namespace NodeAgent.Api.Registry.Listing;

/// <summary>What the response holds: the objects themselves, a Table, or only their metadata.</summary>
internal enum OutputShape
{
    Object,
    Table,
    PartialObjectMetadata,
    PartialObjectMetadataList,
}

/// <summary>What is being answered: one object, a collection, or a watch stream.</summary>
internal enum OutputTarget
{
    Object,
    List,
    Watch,
}

/// <summary>
/// The representation picked from the Accept header: JSON or YAML, and the shape, with the meta.k8s.io version the
/// client asked for (v1 or v1beta1) for Tables and PartialObjectMetadata.
/// </summary>
internal sealed record OutputFormat(bool Yaml, OutputShape Shape, string MetaVersion = "v1")
{
    public static OutputFormat Json { get; } = new(Yaml: false, OutputShape.Object);

    public string ContentType => Yaml ? "application/yaml" : "application/json";

    /// <summary>apiVersion of Table/PartialObjectMetadata in this format.</summary>
    public string MetaApiVersion => "meta.k8s.io/" + MetaVersion;

    /// <summary>
    /// Picks the first representation of <paramref name="accept"/> (highest q first, then header order) that
    /// fits <paramref name="target"/>; none → 406 NotAcceptable, as kube-apiserver answers.
    /// </summary>
    public static OutputFormat Negotiate(string? accept, OutputTarget target)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return Json;
        }

        var clauses = accept.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select((clause, index) => (Parsed: ParseClause(clause), Index: index))
            .Where(c => c.Parsed.Quality > 0)
            .OrderByDescending(c => c.Parsed.Quality)
            .ThenBy(c => c.Index);
        foreach (var (clause, _) in clauses)
        {
            if (TryFormat(clause, target) is { } format)
            {
                return format;
            }
        }

        throw ApiStatusException.NotAcceptable(target == OutputTarget.Watch
            ? "only the following media types are accepted: application/json, application/json;stream=watch"
            : "only the following media types are accepted: application/json, application/yaml");
    }

    private static OutputFormat? TryFormat(MediaRange range, OutputTarget target)
    {
        bool yaml;
        switch (range.Type)
        {
            case "application/json" or "application/*" or "*/*":
                yaml = false;
                break;
            case "application/yaml" when target != OutputTarget.Watch:
                yaml = true;
                break;
            default:
                return null;
        }

        range.Parameters.TryGetValue("as", out var kind);
        if (string.IsNullOrEmpty(kind))
        {
            return new OutputFormat(yaml, OutputShape.Object);
        }

        // Tables and metadata-only objects are served as JSON only (all kubectl and client-go ask for).
        if (yaml || !range.Parameters.TryGetValue("g", out var group) || group != "meta.k8s.io"
            || !range.Parameters.TryGetValue("v", out var version) || version is not ("v1" or "v1beta1"))
        {
            return null;
        }

        OutputShape? shape = (kind, target) switch
        {
            ("Table", _) => OutputShape.Table,
            ("PartialObjectMetadata", OutputTarget.Object or OutputTarget.Watch) => OutputShape.PartialObjectMetadata,
            ("PartialObjectMetadataList", OutputTarget.List) => OutputShape.PartialObjectMetadataList,
            _ => null,
        };
        return shape is null ? null : new OutputFormat(yaml, shape.Value, version);
    }

    private static MediaRange ParseClause(string clause)
    {
        var parts = clause.Split(';', StringSplitOptions.TrimEntries);
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var quality = 1.0;
        foreach (var part in parts.Skip(1))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim().Trim('"');
            if (key.Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                quality = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) ? q : 0;
            }
            else
            {
                parameters[key] = value;
            }
        }

        return new MediaRange(parts[0].ToLowerInvariant(), parameters, quality);
    }

    private sealed record MediaRange(string Type, Dictionary<string, string> Parameters, double Quality);
}
