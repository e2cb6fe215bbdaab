using System.Globalization;
using System.Text.RegularExpressions;
using NodeAgent.Configuration;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Kubectl;
using NodeAgent.Tests.Server;
using NodeAgent.Tests.Streams;

namespace NodeAgent.Tests.Manifests;

/// <summary>
/// Container log rotation end to end: a real server with a 64Ki limit and 4 files (its monitor shortened to 0.5 s
/// through the test-only variable), a busybox pod numbering its lines fast, and the real kubectl following the log
/// across the rotations. Run once per CRI runtime behind the node role (it rotates through ReopenContainerLog).
/// </summary>
public abstract partial class LogRotationSuite(ManifestFixture fixture)
{
    private const int MaxFiles = 4;

    protected ManifestFixture Fixture { get; } = fixture;

    private protected abstract ServerNetwork Network();

    [Fact]
    public async Task Logs_rotate_at_the_size_limit_and_logs_follow_sees_every_line_once()
    {
        using var deadline = TestDeadline.Seconds(240);
        var ct = deadline.Token;
        var network = Network() with
        {
            ExtraArguments = ["--container-log-max-size", "64Ki", "--container-log-max-files", MaxFiles.ToString(CultureInfo.InvariantCulture)],
            Environment = new Dictionary<string, string> { [NodeAgentOptions.TestContainerLogMonitorPeriodVariable] = "0.5" },
        };
        await ServerScenario.RunAsync(Fixture.Registry, async (server, kubectl) =>
        {
            var pod = server.Prefix + "-talker";
            // ~100-byte numbered lines, ten at a time with a short pause: 64Ki fills in about a second. Line 0 comes
            // first, the rest once the test has logs -f running (it creates /tmp/go), so the follow sees every line.
            var line = "echo \"n=$i " + new string('x', 90) + "\"; i=$((i+1))";
            var script = "i=0; " + line + "; until [ -e /tmp/go ]; do sleep 0.1; done; while true; do for j in 0 1 2 3 4 5 6 7 8 9; do " + line + "; done; sleep 0.01; done";
            (await kubectl.RunAsync(["apply", "-f", "-"], ct, ServerPods.Yaml(pod, "docker.io/library/busybox:" + ManifestFixture.BusyboxTag, "Never", "{}", "/bin/sh", "-c", script))).EnsureSuccess();
            await ServerPods.WaitAsync(kubectl, server, ["--for=condition=Ready", "pod/" + pod], ct);
            await using var follow = BackgroundKubectl.Start(kubectl, "follow", "logs", "-f", pod);
            using (var first = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                first.CancelAfter(TimeSpan.FromSeconds(60));
                try
                {
                    await follow.WaitForAsync(o => o.Split('\n').Any(l => l.StartsWith("n=0 ", StringComparison.Ordinal)) ? o : null, "logs -f to show line 0", first.Token);
                }
                catch (TimeoutException)
                {
                    var direct = await kubectl.RunAsync(["logs", pod], ct);
                    Assert.Fail($"logs -f shows no line 0: [{follow.Output}]; logs: [{direct.StandardOutput}{direct.StandardError}]\n{await server.ReadLogAsync(ct)}");
                }
            }

            (await kubectl.RunAsync(["exec", pod, "--", "touch", "/tmp/go"], ct)).EnsureSuccess();

            var uid = (await kubectl.RunAsync(["get", "pod", pod, "-o", "jsonpath={.metadata.uid}"], ct)).EnsureSuccess().StandardOutput;
            var directory = Path.Combine("/var/log/pods", $"default_{pod}_{uid}", "main");
            var rotations = new HashSet<string>(StringComparer.Ordinal);
            var mostFiles = 0;
            await Eventually.UntilAsync(
                _ =>
                {
                    var files = Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!).ToList();
                    mostFiles = Math.Max(mostFiles, files.Count(f => !f.EndsWith(".tmp", StringComparison.Ordinal)));
                    rotations.UnionWith(files.Select(f => RotatedName().Match(f)).Where(m => m.Success).Select(m => m.Groups[1].Value));
                    return Task.FromResult(rotations.Count >= 6 && files.Any(f => f.EndsWith(".gz", StringComparison.Ordinal)));
                },
                "six rotations, older files gzipped",
                ct);

            // A rotation renames 0.log before the runtime reopens it, so a listing can fall between the two: take one
            // that has the current file (the writer keeps rotating every half second).
            var names = await Eventually.UntilAsync(
                _ =>
                {
                    var listed = Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!).ToList();
                    return Task.FromResult(listed.Contains("0.log") ? listed : null);
                },
                "a listing with the current 0.log",
                ct);
            Assert.All(names, n => Assert.Matches(@"^0\.log(\.\d{8}-\d{6}(\.gz)?)?$", n));
            Assert.True(names.Count <= MaxFiles, $"at most {MaxFiles} files: {string.Join(", ", names)}");
            Assert.True(mostFiles <= MaxFiles, $"never more than {MaxFiles} files, saw {mostFiles}");

            // Still the first attempt, writing into the new 0.log; plain logs read only that file, as kubelet's do.
            Assert.Equal("0", (await kubectl.RunAsync(["get", "pod", pod, "-o", "jsonpath={.status.containerStatuses[0].restartCount}"], ct)).EnsureSuccess().StandardOutput);
            var current = Numbers((await kubectl.RunAsync(["logs", pod], ct)).EnsureSuccess().StandardOutput);
            Assert.True(current[0] > 0, "the current file starts after the rotated lines");
            AssertConsecutive(current);
            var tail = Numbers((await kubectl.RunAsync(["logs", pod, "--tail=5"], ct)).EnsureSuccess().StandardOutput);
            Assert.Equal(5, tail.Count);
            AssertConsecutive(tail);
            Assert.True(tail[0] >= current[^1] - 4, "the tail is the newest lines");
            var since = Numbers((await kubectl.RunAsync(["logs", pod, "--since=1h"], ct)).EnsureSuccess().StandardOutput);
            Assert.True(since[0] > 0);

            // logs -f, started before the first rotation, has every line from 0 on exactly once up to what the file has now.
            var last = tail[^1];
            var followed = await follow.WaitForAsync(o => Numbers(o) is { Count: > 0 } n && n[^1] >= last ? n : null, $"logs -f to reach line {last}", ct);
            Assert.Equal(0, followed[0]);
            AssertConsecutive(followed);

            var delete = await kubectl.RunAsync(["delete", "pod", pod, "--timeout=60s"], ct);
            Assert.True(delete.Succeeded, $"kubectl delete: {delete.StandardError}\n{await server.ReadLogAsync(ct)}");
            await ManifestSuite.WaitForNoSandboxesAsync(server, ct);
            Assert.Equal(0, await server.StopAsync(ct));
        }, ct, network);
    }

    private static List<long> Numbers(string output)
    {
        var numbers = new List<long>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var match = LineNumber().Match(line);
            Assert.True(match.Success, $"not a numbered line: {line}");
            numbers.Add(long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return numbers;
    }

    private static void AssertConsecutive(List<long> numbers)
    {
        for (var i = 1; i < numbers.Count; i++)
        {
            Assert.True(numbers[i] == numbers[i - 1] + 1, $"line {numbers[i]} follows {numbers[i - 1]} (position {i})");
        }
    }

    [GeneratedRegex(@"^n=(\d+) x+$")]
    private static partial Regex LineNumber();

    [GeneratedRegex(@"^0\.log\.(\d{8}-\d{6})")]
    private static partial Regex RotatedName();
}

/// <summary>Rotation on the server's built-in runtime (conmon reopens on its control fifo).</summary>
[Collection(ManifestFixture.Collection)]
public sealed class LogRotationOnBuiltInRuntimeTests(ManifestFixture fixture) : LogRotationSuite(fixture)
{
    private protected override ServerNetwork Network()
        => ServerNetwork.New() with { RegistryMirrors = new Dictionary<string, string> { ["docker.io"] = "http://" + Fixture.Registry.Host } };
}

/// <summary>The same with the node role on the containerd fixture (<c>--container-runtime-endpoint</c>).</summary>
[Collection(ManifestFixture.Collection)]
public sealed class LogRotationOnContainerdTests(ManifestFixture fixture) : LogRotationSuite(fixture)
{
    private protected override ServerNetwork Network()
        => ServerNetwork.New() with { ContainerRuntimeEndpoint = Fixture.Containerd.Settings.Endpoint };
}
