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

    public static async Task RunAsync(int megabytes, TextWriter output, CancellationToken ct)
    {
        var fixture = new ContainerdFixture();
        await fixture.InitializeAsync();
        try
        {
            var spec = BuildSpec(megabytes);
            var image = await fixture.Registry.PushImageAsync(spec, "bench/random:latest", ct);
            var reference = fixture.Registry.Reference("bench/random", "latest");
            var compressed = image.Layers.Sum(l => l.Descriptor.Size);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"image: {Layers} layers, {compressed / 1e6:F1} MB compressed, {reference}"));

            var ours = await PullWithOursAsync(fixture.Registry.Host, reference, ct);
            var theirs = await PullWithContainerdAsync(fixture, reference, ct);
            await output.WriteLineAsync();
            await output.WriteLineAsync("pull (fresh store, loopback registry)   wall ms   peak RSS MB");
            await output.WriteLineAsync(Row("nodeagent cri", ours));
            await output.WriteLineAsync(Row("containerd 1.6", theirs));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ratio ours/containerd: time {ours.WallMs / theirs.WallMs:F2}, memory {ours.PeakRssMb / theirs.PeakRssMb:F2}"));

            var layout = Path.Combine(Path.GetTempPath(), "bench-layout-" + Guid.NewGuid().ToString("N"));
            try
            {
                var built = await new OciLayoutWriter(layout).AddImageAsync(spec, ct);
                var (oursMbps, tarMbps) = await UnpackAsync(Path.Combine(layout, "blobs", "sha256", built.Layers[^1].Descriptor.Digest[7..]), ct);
                await output.WriteLineAsync();
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"unpack one uncompressed layer: ours {oursMbps:F0} MB/s, tar -x {tarMbps:F0} MB/s, ratio {oursMbps / tarMbps:P0}"));
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

    private static async Task<Measurement> PullWithOursAsync(string registryHost, string reference, CancellationToken ct)
    {
        using var dir = new TempDirectory(TestIds.NewPrefix());
        await using var runtime = await NodeAgentCriProcess.StartAsync(
            new NodeAgentCriSettings { Prefix = Path.GetFileName(dir.Path), BaseDirectory = dir.Path, InsecureRegistries = [registryHost] }, ct);
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
        var stopwatch = Stopwatch.StartNew();
        await images.PullImageAsync(new PullImageRequest { Image = new NodeAgent.Cri.V1.ImageSpec { Image = reference } }, cancellationToken: ct);
        stopwatch.Stop();
        return new Measurement(stopwatch.Elapsed.TotalMilliseconds, PeakRssMb(pid));
    }

    /// <summary>Our unpacker vs GNU tar on the same uncompressed layer, into fresh directories.</summary>
    private static async Task<(double Ours, double Tar)> UnpackAsync(string gzipLayer, CancellationToken ct)
    {
        using var dir = new TempDirectory(TestIds.NewPrefix());
        var tarFile = dir.Combine("layer.tar");
        await using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(gzipLayer), System.IO.Compression.CompressionMode.Decompress))
        await using (var tar = File.Create(tarFile))
        {
            await gz.CopyToAsync(tar, ct);
        }

        var megabytes = new FileInfo(tarFile).Length / 1e6;
        var oursDir = Directory.CreateDirectory(dir.Combine("ours")).FullName;
        var stopwatch = Stopwatch.StartNew();
        await using (var stream = File.OpenRead(tarFile))
        {
            await new LayerUnpacker().UnpackAsync(stream, LayerCompression.None, oursDir, ct);
        }

        var ours = megabytes / stopwatch.Elapsed.TotalSeconds;
        var tarDir = Directory.CreateDirectory(dir.Combine("tar")).FullName;
        stopwatch.Restart();
        (await TestProcess.RunAsync("tar", ["-xf", tarFile, "-C", tarDir], ct)).EnsureSuccess();
        var tarRate = megabytes / stopwatch.Elapsed.TotalSeconds;
        return (ours, tarRate);
    }

    private static double PeakRssMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static int ProcessIdOf(string configFile)
        => NodeAgent.Testing.Leaks.ProcessProbe.Find(configFile).First(p => p.CommandLine.StartsWith(ContainerdInstance.Binary, StringComparison.Ordinal)).Pid;

    private static string Row(string name, Measurement m)
        => string.Create(CultureInfo.InvariantCulture, $"{name,-40}{m.WallMs,8:F0}   {m.PeakRssMb,8:F1}");

    private sealed record Measurement(double WallMs, double PeakRssMb);
}
