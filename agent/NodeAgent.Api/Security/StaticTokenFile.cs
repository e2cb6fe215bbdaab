namespace NodeAgent.Api.Security;

/// <summary>
/// Upstream's static token file (<c>--token-auth-file</c>): CSV lines <c>token,user,uid,"group1,group2"</c>,
/// groups optional. Blank lines and lines starting with '#' are skipped.
/// </summary>
public static class StaticTokenFile
{
    /// <summary>The tokens in <paramref name="path"/>, or none when the file does not exist.</summary>
    public static IReadOnlyList<StaticToken> LoadIfExists(string path)
        => File.Exists(path) ? Parse(File.ReadAllText(path), path) : [];

    /// <exception cref="FormatException">A line is malformed (the message names the file and line).</exception>
    public static IReadOnlyList<StaticToken> Parse(string content, string source)
    {
        ArgumentNullException.ThrowIfNull(content);
        var tokens = new List<StaticToken>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var fields = SplitCsv(line, source, i + 1);
            if (fields.Count < 3 || fields[0].Length == 0 || fields[1].Length == 0)
            {
                throw new FormatException($"{source}:{i + 1}: want token,user,uid[,\"group1,group2\"]");
            }

            if (!seen.Add(fields[0]))
            {
                throw new FormatException($"{source}:{i + 1}: duplicate token");
            }

            var groups = fields.Count > 3
                ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            tokens.Add(new StaticToken(fields[0], fields[1], fields[2], groups));
        }

        return tokens;
    }

    /// <summary>RFC 4180 fields of one line: commas separate, double quotes enclose, "" is a quote.</summary>
    private static List<string> SplitCsv(string line, string source, int lineNumber)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new FormatException($"{source}:{lineNumber}: unterminated quote");
        }

        fields.Add(field.ToString());
        return fields;
    }
}
