using System.Xml;

namespace NodeAgent.Api.OpenApi;

/// <summary>
/// Descriptions of the KubernetesClient models, read from their XML doc comments (the summaries
/// are the upstream Go doc comments). The build embeds only the models' summaries, already
/// whitespace-normalised (see NodeAgent.Api.csproj); only the types asked for are kept in memory.
/// </summary>
internal sealed class ModelDocs
{
    private const string ResourceName = "NodeAgent.Api.OpenApi.KubernetesModelDocs.xml";

    private readonly Dictionary<string, string> _summaries;

    private ModelDocs(Dictionary<string, string> summaries) => _summaries = summaries;

    public static ModelDocs Empty { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Reads the summaries of <paramref name="types"/> and their properties; a build without the resource yields no descriptions.</summary>
    public static ModelDocs Load(IReadOnlySet<Type> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        using var stream = typeof(ModelDocs).Assembly.GetManifestResourceStream(ResourceName);
        if (stream is null)
        {
            return Empty;
        }

        var wanted = types.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { IgnoreWhitespace = true, DtdProcessing = DtdProcessing.Prohibit });
        reader.MoveToContent();
        while (!reader.EOF)
        {
            // ReadElementContentAsString leaves the reader on the next element, so only Read() when nothing was consumed.
            if (reader.NodeType != XmlNodeType.Element || reader.Name != "m" || reader.GetAttribute("n") is not { } member)
            {
                reader.Read();
                continue;
            }

            var dot = member.IndexOf('.', StringComparison.Ordinal);
            if (wanted.Contains(dot < 0 ? member : member[..dot]))
            {
                summaries[member] = reader.ReadElementContentAsString();
            }
            else
            {
                reader.Skip();
            }
        }

        return new ModelDocs(summaries);
    }

    public string? ForType(Type type) => _summaries.GetValueOrDefault(type.Name);

    public string? ForProperty(Type type, string propertyName) => _summaries.GetValueOrDefault(type.Name + "." + propertyName);
}
