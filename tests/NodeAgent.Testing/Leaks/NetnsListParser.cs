namespace NodeAgent.Testing.Leaks;

/// <summary>Parses <c>ip netns list</c> output: one namespace per line, optionally followed by "(id: N)".</summary>
public static class NetnsListParser
{
    public static IReadOnlyList<string> Parse(string output)
        => output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2)[0])
            .ToList();
}
