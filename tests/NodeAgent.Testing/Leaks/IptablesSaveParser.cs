namespace NodeAgent.Testing.Leaks;

/// <summary>Parses <c>iptables-save</c> output (the format iptables-restore reads); pure for tests.</summary>
public static class IptablesSaveParser
{
    public static IReadOnlyList<IptablesTable> Parse(string output)
    {
        var tables = new List<IptablesTable>();
        string? table = null;
        var chains = new List<IptablesChain>();
        var rules = new List<IptablesRule>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('*'))
            {
                table = line[1..];
                chains = [];
                rules = [];
            }
            else if (line == "COMMIT")
            {
                tables.Add(new IptablesTable(RequireTable(table, line), chains, rules));
                table = null;
            }
            else if (line.StartsWith(':'))
            {
                RequireTable(table, line);
                var fields = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                chains.Add(new IptablesChain(fields[0], fields.Length > 1 ? fields[1] : "-"));
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal))
            {
                RequireTable(table, line);
                rules.Add(new IptablesRule(line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries)[1], line));
            }
            else
            {
                throw new FormatException($"Unexpected iptables-save line: '{line}'.");
            }
        }

        if (table is not null)
        {
            throw new FormatException($"iptables-save table '{table}' has no COMMIT.");
        }

        return tables;
    }

    private static string RequireTable(string? table, string line)
        => table ?? throw new FormatException($"iptables-save line outside a table: '{line}'.");
}
