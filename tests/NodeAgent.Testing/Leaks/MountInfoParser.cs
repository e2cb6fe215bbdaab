using System.Globalization;
using System.Text;

namespace NodeAgent.Testing.Leaks;

/// <summary>Parses /proc/[pid]/mountinfo text; pure so it can be tested on fixture strings.</summary>
public static class MountInfoParser
{
    // Fields: id parent major:minor root mount-point options [optional...] - fstype source super-options
    private const int FieldsBeforeOptional = 6;

    public static IReadOnlyList<MountEntry> Parse(string text)
    {
        var entries = new List<MountEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            entries.Add(ParseLine(line));
        }

        return entries;
    }

    public static MountEntry ParseLine(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var separator = fields.Length > FieldsBeforeOptional ? Array.IndexOf(fields, "-", FieldsBeforeOptional) : -1;
        if (separator < 0 || separator + 2 >= fields.Length)
        {
            throw new FormatException($"Not a mountinfo line: '{line}'.");
        }

        return new MountEntry(
            MountId: int.Parse(fields[0], CultureInfo.InvariantCulture),
            ParentId: int.Parse(fields[1], CultureInfo.InvariantCulture),
            Device: fields[2],
            Root: Unescape(fields[3]),
            MountPoint: Unescape(fields[4]),
            FileSystemType: fields[separator + 1],
            Source: Unescape(fields[separator + 2]));
    }

    /// <summary>The kernel writes space, tab, newline and backslash as octal escapes (\040 …).</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }

    private static bool IsOctal(string field, int start)
        => start + 3 <= field.Length && !field.AsSpan(start, 3).ContainsAnyExceptInRange('0', '7');
}
