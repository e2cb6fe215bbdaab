using System.Runtime.InteropServices;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Errors;

namespace NodeAgent.Runtime.Network;

/// <summary>
/// Named, pinned network namespaces under /run/netns, the directory <c>ip netns</c> uses.
/// <para>
/// Creation runs <c>ip netns add NAME</c>: one short-lived process creates the namespace with
/// unshare(CLONE_NEWNET) and bind-mounts its /proc/self/ns/net onto /run/netns/NAME, after making
/// /run/netns a shared mount point so the pin propagates into mount namespaces created later (as
/// runc's). .NET cannot unshare a namespace for itself without moving one of its own threads into
/// it, and <c>unshare --net=FILE</c> needs the pin file, its mount propagation and a program to run
/// prepared by hand; iproute2 does all of it in one exec and fails cleanly when the name exists.
/// </para>
/// <para>
/// Removal happens here, without a process: umount2(MNT_DETACH) of the pin, then unlink. The
/// namespace itself dies when the last process inside it exits and the pin is gone.
/// </para>
/// </summary>
internal sealed partial class NetnsPinner
{
    public const string NetnsDirectory = "/run/netns";

    private const int MntDetach = 2;
    private const int Einval = 22;
    private const int Enoent = 2;

    private static readonly string[] IpCandidates = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

    private readonly IProcessRunner _processRunner;

    public NetnsPinner(IProcessRunner processRunner)
    {
        _processRunner = processRunner ?? throw new ArgumentNullException(nameof(processRunner));
    }

    public static string PathFor(string name) => Path.Combine(NetnsDirectory, name);

    public static bool Exists(string name) => File.Exists(PathFor(name));

    /// <summary>Creates the namespace and its pin; returns the pin path.</summary>
    public async Task<string> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var ip = IpCandidates.FirstOrDefault(File.Exists)
            ?? throw new RuntimeException(RuntimeErrorKind.FailedPrecondition, $"create netns {name}: iproute2's ip is not installed (looked in {string.Join(", ", IpCandidates)})");
        var result = await _processRunner.RunAsync(new ProcessSpec(ip, ["netns", "add", name]) { Timeout = TimeSpan.FromSeconds(30) }, cancellationToken);
        if (!result.Succeeded)
        {
            var message = result.StandardError.Trim();
            var kind = message.Contains("File exists", StringComparison.Ordinal) ? RuntimeErrorKind.AlreadyExists : RuntimeErrorKind.Internal;
            throw new RuntimeException(kind, $"create netns {name}: ip netns add exited {result.ExitCode}: {message}");
        }

        return PathFor(name);
    }

    /// <summary>Unmounts and deletes the pin; a missing pin or an already unmounted file is success.</summary>
    public static void Remove(string name)
    {
        var path = PathFor(name);
        // Stacked mounts (a retried pin) each need their own umount; EINVAL means nothing is mounted any more.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            if (Umount2(path, MntDetach) == 0)
            {
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is Einval or Enoent)
            {
                break;
            }

            throw new RuntimeException(RuntimeErrorKind.Internal, $"remove netns {name}: umount {path} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // No /run/netns at all (a fresh boot): nothing was pinned.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeException(RuntimeErrorKind.Internal, $"remove netns {name}: delete {path} failed: {e.Message}", e);
        }
    }

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Umount2(string target, int flags);
}
