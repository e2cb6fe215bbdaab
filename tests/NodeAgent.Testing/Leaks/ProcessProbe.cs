using System.Globalization;

namespace NodeAgent.Testing.Leaks;

/// <summary>Processes whose command line carries the prefix, excluding the test process itself.</summary>
public static class ProcessProbe
{
    public const string ProcDirectory = "/proc";

    public static IReadOnlyList<LeakedProcess> Find(string prefix) => Find(ProcDirectory, prefix, Environment.ProcessId);

    public static IReadOnlyList<LeakedProcess> Find(string procDirectory, string prefix, int excludePid)
    {
        var found = new List<LeakedProcess>();
        foreach (var directory in Directory.EnumerateDirectories(procDirectory))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == excludePid)
            {
                continue;
            }

            var commandLine = ReadCommandLine(Path.Combine(directory, "cmdline"));
            if (PrefixMatch.Matches(commandLine, prefix))
            {
                found.Add(new LeakedProcess(pid, commandLine!));
            }
        }

        return found.OrderBy(p => p.Pid).ToList();
    }

    private static string? ReadCommandLine(string path)
    {
        try
        {
            return ProcCmdline.Display(ProcCmdline.Parse(File.ReadAllBytes(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited between listing and reading.
            return null;
        }
    }
}
