using System.Reflection;

namespace NodeAgent.Cli;

/// <summary>Version and commit stamped into the assembly at build time (SourceLink appends "+commit").</summary>
public static class BuildInfo
{
    public const string CriApiVersion = "v1";

    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static string Version => "v" + Informational.Split('+')[0];

    public static string Commit
    {
        get
        {
            var plus = Informational.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? "unknown" : Informational[(plus + 1)..];
        }
    }

    public static string Runtime => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
}
