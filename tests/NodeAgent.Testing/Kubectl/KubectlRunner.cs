using System.Text.Json;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Kubectl;

/// <summary>
/// Runs the real kubectl against one kubeconfig, isolated from the user's: <c>--kubeconfig</c>
/// and KUBECONFIG always point at the given file, HOME is a private temp dir (so ~/.kube is never
/// read), and the discovery/HTTP cache lives in this fixture's own <c>--cache-dir</c>, so two
/// fixtures never share stale discovery. Dispose removes the temp dir.
/// </summary>
public sealed class KubectlRunner : IDisposable
{
    private readonly TempDirectory _temp;

    public KubectlRunner(string kubeconfigPath, string? binaryPath = null, string? tempPrefix = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kubeconfigPath);
        KubeconfigPath = Path.GetFullPath(kubeconfigPath);
        BinaryPath = binaryPath ?? KubectlBinaries.DefaultPath;
        _temp = new TempDirectory((tempPrefix ?? TestIds.NewPrefix()) + "-kubectl");
        HomeDirectory = Directory.CreateDirectory(_temp.Combine("home")).FullName;
        CacheDirectory = _temp.Combine("cache");
        EnvironmentOverrides = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = HomeDirectory,
            ["KUBECONFIG"] = KubeconfigPath,
            ["KUBECACHEDIR"] = CacheDirectory,
        };
    }

    public string KubeconfigPath { get; }

    public string BinaryPath { get; }

    /// <summary>The fixture's private temp dir; holds <see cref="HomeDirectory"/> and <see cref="CacheDirectory"/>.</summary>
    public string TempPath => _temp.Path;

    public string HomeDirectory { get; }

    public string CacheDirectory { get; }

    /// <summary>The environment overrides every kubectl run gets (on top of the test process's).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOverrides { get; }

    /// <summary>Runs kubectl with the given arguments; a non-zero exit is returned, not thrown.</summary>
    public Task<ProcessResult> RunAsync(IEnumerable<string> args, CancellationToken ct, string? stdin = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        string[] isolation = ["--kubeconfig=" + KubeconfigPath, "--cache-dir=" + CacheDirectory];
        return TestProcess.RunAsync(BinaryPath, isolation.Concat(args), ct, EnvironmentOverrides, stdin);
    }

    /// <summary><c>kubectl apply -f -</c> with the YAML on stdin; throws with kubectl's output on failure.</summary>
    public async Task<ProcessResult> ApplyAsync(string yaml, CancellationToken ct)
        => (await RunAsync(["apply", "-f", "-"], ct, yaml)).EnsureSuccess();

    /// <summary><c>kubectl get &lt;args&gt; -o json</c>, parsed.</summary>
    public Task<JsonDocument> GetJsonAsync(IEnumerable<string> args, CancellationToken ct)
        => RunJsonAsync(["get", .. args], ct);

    /// <summary>Any kubectl command with <c>-o json</c> appended (e.g. <c>version --client</c>), parsed.</summary>
    public async Task<JsonDocument> RunJsonAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var result = (await RunAsync([.. args, "-o", "json"], ct)).EnsureSuccess();
        return JsonDocument.Parse(result.StandardOutput);
    }

    /// <summary>The client's gitVersion, e.g. "v1.32.4".</summary>
    public async Task<string> ClientVersionAsync(CancellationToken ct)
    {
        using var json = await RunJsonAsync(["version", "--client"], ct);
        return json.RootElement.GetProperty("clientVersion").GetProperty("gitVersion").GetString()
            ?? throw new InvalidOperationException("kubectl version printed no clientVersion.gitVersion.");
    }

    public void Dispose() => _temp.Dispose();
}
