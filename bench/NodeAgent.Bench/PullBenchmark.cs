using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Images.Unpack;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Containerd;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.NodeAgentCri;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Bench;

/// <summary>
/// Builds a multi-layer image of random data (~N MB), pushes it to a loopback registry, then pulls
/// it with `nodeagent cri` and with containerd (each on a fresh store), and unpacks one layer with
/// our unpacker and with `tar -x`. Prints wall time, peak RSS and ratios.
/// </summary>
internal static class PullBenchmark
{
    private const int Layers = 4;
    private const int FilesPerLayer = 64;

    public static async Task RunAsync(int megabytes, int rounds, IReadOnlyDictionary<string, string> agentEnvironment, TextWriter output, CancellationToken ct)
    {
        var fixture = new ContainerdFixture();
        await fixture.InitializeAsync();
        try
        {
            var spec = BuildSpec(megabytes);
            var image = await fixture.Registry.PushImageAsync(spec, "bench/random:latest", ct);
            var reference = fixture.Registry.Reference("bench/random", "latest");
            var compressed = image.Layers.Sum(l => l.Descriptor.Size);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"image: {image.Layers.Count} layers, {compressed / 1e6:F1} MB compressed, {reference}; {rounds} rounds, each on a fresh process and store"));
            if (agentEnvironment.Count > 0)
            {
                await output.WriteLineAsync("agent environment: " + string.Join(' ', agentEnvironment.Select(e => $"{e.Key}={e.Value}")));
            }

            // BENCH_OURS_ONLY=1 skips containerd and the unpack comparison: quick A/B runs of agent knobs.
            var oursOnly = Environment.GetEnvironmentVariable("BENCH_OURS_ONLY") == "1";

            // With it, BENCH_COMPARE_DLL=path/nodeagent.dll interleaves another build round by round (fair under a busy machine).
            var compareDll = Environment.GetEnvironmentVariable("BENCH_COMPARE_DLL");
            var other = new List<Measurement>();
            var ours = new List<Measurement>();
            var theirs = new List<Measurement>();
            for (var round = 0; round < rounds; round++)
            {
                // Alternate who goes first so neither always pulls from a warmer registry cache.
                if (oursOnly)
                {
                    ours.Add(await PullWithOursAsync(fixture.Registry.Host, reference, agentEnvironment, ct));
                    if (compareDll is not null)
                    {
                        other.Add(await PullWithOursAsync(fixture.Registry.Host, reference, agentEnvironment, ct, compareDll));
                    }
                }
                else if (round % 2 == 0)
                {
                    ours.Add(await PullWithOursAsync(fixture.Registry.Host, reference, agentEnvironment, ct));
                    theirs.Add(await PullWithContainerdAsync(fixture, reference, ct));
                }
                else
                {
                    theirs.Add(await PullWithContainerdAsync(fixture, reference, ct));
                    ours.Add(await PullWithOursAsync(fixture.Registry.Host, reference, agentEnvironment, ct));
                }
            }

            await output.WriteLineAsync();
            await output.WriteLineAsync("pull (fresh store, loopback registry)   wall ms   peak RSS MB   idle RSS MB   CPU ms   (median; every round wall/peak)");
            await output.WriteLineAsync(Row("nodeagent cri", ours));
            if (oursOnly)
            {
                if (other.Count > 0)
                {
                    await output.WriteLineAsync(Row("nodeagent cri (BENCH_COMPARE_DLL)", other));
                }

                return;
            }

            await output.WriteLineAsync(Row("containerd 1.6", theirs));
            var (o, t) = (Median(ours), Median(theirs));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ratio ours/containerd: time {o.WallMs / t.WallMs:F2}, memory {o.PeakRssMb / t.PeakRssMb:F2}"));

            var layout = Path.Combine(Path.GetTempPath(), "bench-layout-" + Guid.NewGuid().ToString("N"));
            try
            {
                var built = await new OciLayoutWriter(layout).AddImageAsync(spec, ct);
                var (oursMbps, tarMbps) = await UnpackAsync(Path.Combine(layout, "blobs", "sha256", built.Layers[^1].Descriptor.Digest[7..]), rounds, ct);
                await output.WriteLineAsync();
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"unpack one uncompressed layer (warm, median of {rounds}): ours {oursMbps:F0} MB/s, tar -x {tarMbps:F0} MB/s, ratio {oursMbps / tarMbps:P0}"));
            }
            finally
            {
                Directory.Delete(layout, recursive: true);
            }
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static NodeAgent.Testing.Images.ImageSpec BuildSpec(int megabytes)
    {
        var fileBytes = megabytes * 1_000_000 / (Layers * FilesPerLayer);
        var layers = Enumerable.Range(0, Layers).Select(layer => new LayerSpec(
            [.. Enumerable.Range(0, FilesPerLayer).Select(file => LayerEntry.File($"/data/{layer}/{file}.bin", RandomNumberGenerator.GetBytes(fileBytes)))],
            $"random layer {layer}"));
        return NodeAgent.Testing.Images.ImageSpec.Busybox("bench/random").WithLayers([.. layers]);
    }

    private static async Task<Measurement> PullWithOursAsync(
        string registryHost, string reference, IReadOnlyDictionary<string, string> environment, CancellationToken ct, string? agentDll = null)
    {
        using var dir = new TempDirectory(TestIds.NewPrefix());
        await using var runtime = await NodeAgentCriProcess.StartAsync(
            new NodeAgentCriSettings
            {
                Prefix = Path.GetFileName(dir.Path),
                BaseDirectory = dir.Path,
                InsecureRegistries = [registryHost],
                Environment = environment,
                // BENCH_AGENT_DLL=path/nodeagent.dll measures another build (e.g. the previous commit's) in the same conditions.
                NodeAgentDll = agentDll ?? Environment.GetEnvironmentVariable("BENCH_AGENT_DLL") ?? Path.Combine(AppContext.BaseDirectory, "nodeagent.dll"),
            },
            ct);
        return await TimePullAsync(runtime.Client.Images, reference, runtime.ProcessId, ct);
    }

    private static async Task<Measurement> PullWithContainerdAsync(ContainerdFixture fixture, string reference, CancellationToken ct)
    {
        await using var instance = await fixture.StartInstanceAsync(ct);
        var pid = ProcessIdOf(instance.Settings.ConfigFile);
        return await TimePullAsync(instance.Client.Images, reference, pid, ct);
    }

    private static async Task<Measurement> TimePullAsync(ImageService.ImageServiceClient images, string reference, int pid, CancellationToken ct)
    {
        var idle = StatusMb(pid, "VmRSS:");
        var cpuBefore = CpuMs(pid);
        var mappingsBefore = Mappings(pid);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  idle: anon {StatusMb(pid, "RssAnon:"):F1} file {StatusMb(pid, "RssFile:"):F1} shmem {StatusMb(pid, "RssShmem:"):F1}"));
        var stopwatch = Stopwatch.StartNew();
        await images.PullImageAsync(new PullImageRequest { Image = new NodeAgent.Cri.V1.ImageSpec { Image = reference } }, cancellationToken: ct);
        stopwatch.Stop();
        var cpu = CpuMs(pid) - cpuBefore;
        var breakdown = string.Create(CultureInfo.InvariantCulture, $"anon {StatusMb(pid, "RssAnon:"):F1} file {StatusMb(pid, "RssFile:"):F1} shmem {StatusMb(pid, "RssShmem:"):F1}");
        Console.Error.WriteLine($"  after pull: {breakdown}");
        if (Environment.GetEnvironmentVariable("BENCH_SMAPS") == "1")
        {
            Console.Error.WriteLine(GrownMappings(mappingsBefore, Mappings(pid)));
            Console.Error.WriteLine(ThreadCpu(pid));
        }
        return new Measurement(stopwatch.Elapsed.TotalMilliseconds, StatusMb(pid, "VmHWM:"), idle, cpu);
    }

    /// <summary>Our unpacker vs GNU tar on the same uncompressed layer, into fresh directories, after one warm-up each.</summary>
    private static async Task<(double Ours, double Tar)> UnpackAsync(string gzipLayer, int rounds, CancellationToken ct)
    {
        using var dir = new TempDirectory(TestIds.NewPrefix());
        var tarFile = dir.Combine("layer.tar");
        await using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(gzipLayer), System.IO.Compression.CompressionMode.Decompress))
        await using (var tar = File.Create(tarFile))
        {
            await gz.CopyToAsync(tar, ct);
        }

        var megabytes = new FileInfo(tarFile).Length / 1e6;
        var ours = new List<double>();
        var tars = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var oursDir = Directory.CreateDirectory(dir.Combine($"ours{round}")).FullName;
            var stopwatch = Stopwatch.StartNew();
            await using (var stream = File.OpenRead(tarFile))
            {
                await new LayerUnpacker().UnpackAsync(stream, LayerCompression.None, oursDir, ct);
            }

            ours.Add(megabytes / stopwatch.Elapsed.TotalSeconds);
            var tarDir = Directory.CreateDirectory(dir.Combine($"tar{round}")).FullName;
            stopwatch.Restart();
            (await TestProcess.RunAsync("tar", ["-xf", tarFile, "-C", tarDir], ct)).EnsureSuccess();
            tars.Add(megabytes / stopwatch.Elapsed.TotalSeconds);
            Directory.Delete(oursDir, recursive: true);
            Directory.Delete(tarDir, recursive: true);
        }

        // Round 0 warms the JIT and the page cache.
        return (Median(ours.Skip(1)), Median(tars.Skip(1)));
    }

    /// <summary>Mappings whose resident size grew during the pull (KB, largest first): what the pull itself costs in memory.</summary>
    private static string GrownMappings(Dictionary<string, long> before, Dictionary<string, long> after)
        => string.Join('\n', after
            .Select(a => (a.Key, Grown: a.Value - before.GetValueOrDefault(a.Key)))
            .Where(g => g.Grown > 100)
            .OrderByDescending(g => g.Grown)
            .Select(g => $"    +{g.Grown,6} KB {g.Key}"));

    /// <summary>Resident KB per mapped file (or [anon]).</summary>
    private static Dictionary<string, long> Mappings(int pid)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        var name = "[anon]";
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                name = fields.Length >= 6 ? fields[5] : "[anon]";
            }
            else if (fields[0] == "Rss:")
            {
                totals[name] = totals.GetValueOrDefault(name) + long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        return totals;
    }

    /// <summary>User + system CPU the process has used (/proc/PID/stat utime and stime): less sensitive to a busy machine than wall time.</summary>
    private static double CpuMs(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
    }

    /// <summary>CPU ms per thread name (.NET names its JIT, GC and pool threads), largest first.</summary>
    private static string ThreadCpu(int pid)
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..stat.LastIndexOf(')')];
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ms = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
            totals[name] = totals.GetValueOrDefault(name) + ms;
        }

        return string.Join('\n', totals.OrderByDescending(t => t.Value).Select(t => $"    {t.Value,7:F0} ms {t.Key}"));
    }

    private static double StatusMb(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static int ProcessIdOf(string configFile)
        => NodeAgent.Testing.Leaks.ProcessProbe.Find(configFile).First(p => p.CommandLine.StartsWith(ContainerdInstance.Binary, StringComparison.Ordinal)).Pid;

    private static string Row(string name, IReadOnlyList<Measurement> all)
    {
        var m = Median(all);
        var each = string.Join(", ", all.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.WallMs:F0}/{r.PeakRssMb:F1}")));
        return string.Create(CultureInfo.InvariantCulture, $"{name,-40}{m.WallMs,8:F0}   {m.PeakRssMb,11:F1}   {m.IdleRssMb,11:F1}   {m.CpuMs,6:F0}   ({each})");
    }

    private static Measurement Median(IReadOnlyList<Measurement> all)
        => new(Median(all.Select(m => m.WallMs)), Median(all.Select(m => m.PeakRssMb)), Median(all.Select(m => m.IdleRssMb)), Median(all.Select(m => m.CpuMs)));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record Measurement(double WallMs, double PeakRssMb, double IdleRssMb, double CpuMs);
}
