namespace NodeAgent.Testing.Images;

/// <summary>One image layer: its entries and the history line that describes it.</summary>
public sealed record LayerSpec(IReadOnlyList<LayerEntry> Entries, string CreatedBy = "nodeagent-testing layer")
{
    public static LayerSpec Of(params LayerEntry[] entries) => new(entries);
}
