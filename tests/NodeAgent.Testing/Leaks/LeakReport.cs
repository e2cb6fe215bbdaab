using System.Text;

namespace NodeAgent.Testing.Leaks;

/// <summary>Everything on the host that still carries one test's prefix.</summary>
public sealed record LeakReport(
    string Prefix,
    IReadOnlyList<MountEntry> Mounts,
    IReadOnlyList<string> NetworkNamespaces,
    IReadOnlyList<string> NetworkInterfaces,
    IReadOnlyList<string> IptablesEntries,
    IReadOnlyList<string> Cgroups,
    IReadOnlyList<LeakedProcess> Processes,
    IReadOnlyList<string> TempEntries,
    IReadOnlyList<string> ExtraDirectoryEntries)
{
    public bool IsClean => Categories.All(c => c.Items.Count == 0);

    /// <summary>Each category with a readable name, in report order.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<object> Items)> Categories =>
    [
        ("mounts", [.. Mounts]),
        ("network namespaces", [.. NetworkNamespaces]),
        ("network interfaces", [.. NetworkInterfaces]),
        ("iptables", [.. IptablesEntries]),
        ("cgroups", [.. Cgroups]),
        ("processes", [.. Processes]),
        ("temp entries", [.. TempEntries]),
        ("extra directory entries", [.. ExtraDirectoryEntries]),
    ];

    public override string ToString()
    {
        if (IsClean)
        {
            return $"No leaks for prefix '{Prefix}'.";
        }

        var text = new StringBuilder().Append("Leaks for prefix '").Append(Prefix).Append("':");
        foreach (var (name, items) in Categories.Where(c => c.Items.Count > 0))
        {
            text.Append('\n').Append("  ").Append(name).Append(" (").Append(items.Count).Append("):");
            foreach (var item in items)
            {
                text.Append('\n').Append("    ").Append(item);
            }
        }

        return text.ToString();
    }
}
