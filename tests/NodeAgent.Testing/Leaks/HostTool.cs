using System.ComponentModel;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Leaks;

/// <summary>
/// Runs the host tools the probes need (ip, iptables-save). A missing tool is an error, never an
/// empty answer: a leak check that silently cannot look would pass for the wrong reason.
/// </summary>
public static class HostTool
{
    // Non-root PATHs often lack the sbin directories where these tools live.
    private static readonly string[] ExtraSearchDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    public static string Resolve(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(ExtraSearchDirectories))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{name}' is not installed (searched PATH and {string.Join(", ", ExtraSearchDirectories)}); the leak check cannot run without it.");
    }

    public static async Task<string> RunAsync(string name, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var fileName = Resolve(name);
        try
        {
            var result = await TestProcess.RunAsync(fileName, arguments, cancellationToken);
            return result.EnsureSuccess().StandardOutput;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not run '{fileName}' for the leak check.", e);
        }
    }
}
