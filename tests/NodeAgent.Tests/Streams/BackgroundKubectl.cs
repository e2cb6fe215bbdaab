using System.Diagnostics;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Tests.Streams;

/// <summary>
/// A kubectl that keeps running (<c>logs -f</c>, <c>port-forward</c>): its output goes to a file the test polls, and
/// dispose stops it by its PID.
/// </summary>
internal sealed class BackgroundKubectl : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _output;

    private BackgroundKubectl(Process process, string output)
    {
        _process = process;
        _output = output;
    }

    public bool HasExited => _process.HasExited;

    public static BackgroundKubectl Start(KubectlRunner kubectl, string name, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(kubectl);
        var output = Path.Combine(kubectl.TempPath, $"{name}-{Guid.NewGuid():N}.out");
        string[] isolation = ["--kubeconfig=" + kubectl.KubeconfigPath, "--cache-dir=" + kubectl.CacheDirectory];
        var process = TestProcess.StartBackground(kubectl.BinaryPath, isolation.Concat(args), output, kubectl.EnvironmentOverrides);
        return new BackgroundKubectl(process, output);
    }

    public string Output => File.Exists(_output) ? ReadShared(_output) : "";

    /// <summary>Polls the output until <paramref name="match"/> finds what it wants in it.</summary>
    public Task<T> WaitForAsync<T>(Func<string, T?> match, string what, CancellationToken ct)
        where T : class
        => Eventually.UntilAsync(
            async c =>
            {
                if (match(Output) is { } found)
                {
                    return found;
                }

                if (!HasExited)
                {
                    return null;
                }

                // Exited: its last lines may still be on their way into the output file.
                await WaitForExitAsync(c);
                return match(Output) ?? throw new InvalidOperationException($"kubectl exited ({_process.ExitCode}) before {what}: {Output}");
            },
            what,
            ct);

    /// <summary>
    /// Until kubectl exited and all it printed is in <see cref="Output"/>: <see cref="HasExited"/> can turn true while
    /// the last lines are still being copied from its stdout.
    /// </summary>
    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await TestProcess.StopAsync(_process, TimeSpan.FromSeconds(5));
        _process.Dispose();
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
