using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime;

/// <summary>
/// What the pod half of the runtime needs from the host, checked once at start so a missing piece
/// fails with an actionable message instead of a confusing error at the first RunPodSandbox.
/// (Missing CNI plugins do not stop the runtime: they report NetworkReady=false, as CRI expects.)
/// </summary>
public static class RuntimePrerequisites
{
    public static void Check(RuntimeOptions options, string conmonPath = "/usr/bin/conmon", string catatonitPath = "/usr/bin/catatonit", string procFilesystems = "/proc/filesystems")
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        RequireExecutable(options.OciRuntimePath, "the OCI runtime (Debian package runc)", problems);
        RequireExecutable(conmonPath, "the container monitor (Debian package conmon)", problems);
        RequireExecutable(catatonitPath, "the pod infra process (Debian package catatonit)", problems);
        if (File.Exists(procFilesystems) && !File.ReadAllText(procFilesystems).Contains("\toverlay\n", StringComparison.Ordinal))
        {
            problems.Add("the kernel has no overlay file system (modprobe overlay)");
        }

        if (problems.Count > 0)
        {
            throw new RuntimeException(
                RuntimeErrorKind.FailedPrecondition,
                $"the container runtime cannot start: {string.Join("; ", problems)}. scripts/install-deps.sh installs the packages.");
        }
    }

    private static void RequireExecutable(string path, string what, List<string> problems)
    {
        if (!File.Exists(path))
        {
            problems.Add($"{what} is missing at {path}");
        }
        else if ((File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            problems.Add($"{what} at {path} is not executable");
        }
    }
}
