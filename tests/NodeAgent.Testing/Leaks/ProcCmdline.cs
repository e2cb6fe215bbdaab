using System.Text;

namespace NodeAgent.Testing.Leaks;

/// <summary>Parses /proc/[pid]/cmdline: arguments separated (and usually terminated) by NUL.</summary>
public static class ProcCmdline
{
    public static IReadOnlyList<string> Parse(ReadOnlySpan<byte> raw)
        => Encoding.UTF8.GetString(raw).Split('\0', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A readable one-line form for reports (arguments joined by spaces, no quoting).</summary>
    public static string Display(IReadOnlyList<string> arguments) => string.Join(' ', arguments);
}
