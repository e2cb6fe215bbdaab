namespace NodeAgent.Testing.Leaks;

/// <summary>
/// Chains and rules carrying the prefix, in every table iptables-save prints (filter, nat,
/// mangle, raw …). A rule matches on its whole text, so comments, jump targets and interface
/// names (<c>-o natXb</c>) all count.
/// </summary>
public static class IptablesProbe
{
    public static async Task<IReadOnlyList<string>> FindAsync(string prefix, CancellationToken cancellationToken)
    {
        // Plain iptables-save only lists tables that exist; "-t nat" would create an empty one on nft.
        var output = await HostTool.RunAsync("iptables-save", [], cancellationToken);
        return Find(IptablesSaveParser.Parse(output), prefix);
    }

    public static IReadOnlyList<string> Find(IEnumerable<IptablesTable> tables, string prefix)
    {
        var leaks = new List<string>();
        foreach (var table in tables)
        {
            leaks.AddRange(table.Chains.Where(c => PrefixMatch.Matches(c.Name, prefix)).Select(c => $"{table.Name}: chain {c.Name}"));
            leaks.AddRange(table.Rules.Where(r => PrefixMatch.Matches(r.Text, prefix)).Select(r => $"{table.Name}: {r.Text}"));
        }

        return leaks;
    }
}
