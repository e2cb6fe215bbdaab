using System.Text;

namespace NodeAgent.Cli;

/// <summary>crictl-style plain tables: columns padded to their widest cell, three spaces apart, no trailing padding.</summary>
internal static class TextTable
{
    public static string Render(IReadOnlyList<string[]> rows)
    {
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        var builder = new StringBuilder();
        foreach (var row in rows)
        {
            builder.AppendJoin("   ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).Append('\n');
        }

        return builder.ToString();
    }
}
