using System.IO.Compression;
using NodeAgent.Node.Logs;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Logs;

/// <summary>The rotation of one container's log files on a real directory; the runtime's reopen is a delegate here.</summary>
public sealed class ContainerLogRotatorTests : IDisposable
{
    private readonly TempDirectory _dir = new("nodeagent-logrotate");
    private readonly SteppingTime _time = new(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private string LogPath => _dir.Combine("0.log");

    [Fact]
    public async Task A_file_below_the_limit_is_left_alone()
    {
        var rotator = new ContainerLogRotator(new ContainerLogOptions { MaxSizeBytes = 100, MaxFiles = 3 }, _time);
        await File.WriteAllTextAsync(LogPath, new string('x', 99));
        var reopened = 0;

        Assert.False(await rotator.RotateIfNeededAsync(LogPath, _ => { reopened++; return Task.CompletedTask; }, CancellationToken.None));
        Assert.Equal(0, reopened);
        Assert.Equal(["0.log"], Files());
    }

    [Fact]
    public async Task Rotations_rename_with_kubelets_timestamp_compress_older_files_and_keep_max_files()
    {
        var rotator = new ContainerLogRotator(new ContainerLogOptions { MaxSizeBytes = 10, MaxFiles = 4 }, _time);
        for (var round = 0; round < 4; round++)
        {
            await File.WriteAllTextAsync(LogPath, $"round {round} output\n");
            Assert.True(await rotator.RotateIfNeededAsync(LogPath, Reopen, CancellationToken.None));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // maxFiles - 2 rotated files survive each round, all but the newest of them gzipped, then the current one is
        // rotated: 4 files, the newest two plain (as kubelet leaves them), the oldest of the first round gone.
        var local = _time.GetLocalNow();
        string Stamp(int secondsBack) => local.AddSeconds(-secondsBack).ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(["0.log", $"0.log.{Stamp(3)}.gz", $"0.log.{Stamp(2)}", $"0.log.{Stamp(1)}"], Files());
        Assert.Equal("round 3 output\n", await File.ReadAllTextAsync(_dir.Combine($"0.log.{Stamp(1)}")));
        await using var gz = new GZipStream(File.OpenRead(_dir.Combine($"0.log.{Stamp(3)}.gz")), CompressionMode.Decompress);
        using var text = new StreamReader(gz);
        Assert.Equal("round 1 output\n", await text.ReadToEndAsync());
    }

    [Fact]
    public async Task A_failed_reopen_renames_the_file_back_and_the_next_round_retries()
    {
        var rotator = new ContainerLogRotator(new ContainerLogOptions { MaxSizeBytes = 1, MaxFiles = 2 }, _time);
        await File.WriteAllTextAsync(LogPath, "kept\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => rotator.RotateIfNeededAsync(LogPath, _ => throw new InvalidOperationException("container is not running"), CancellationToken.None));
        Assert.Equal("container is not running", error.Message);
        Assert.Equal(["0.log"], Files());
        Assert.Equal("kept\n", await File.ReadAllTextAsync(LogPath));

        Assert.True(await rotator.RotateIfNeededAsync(LogPath, Reopen, CancellationToken.None));
        Assert.Equal(2, Files().Count);
    }

    [Fact]
    public async Task A_second_rotation_in_the_same_second_waits_instead_of_overwriting()
    {
        var rotator = new ContainerLogRotator(new ContainerLogOptions { MaxSizeBytes = 1, MaxFiles = 5 }, _time);
        await File.WriteAllTextAsync(LogPath, "first\n");
        Assert.True(await rotator.RotateIfNeededAsync(LogPath, Reopen, CancellationToken.None));
        await File.WriteAllTextAsync(LogPath, "second\n");

        Assert.False(await rotator.RotateIfNeededAsync(LogPath, Reopen, CancellationToken.None));
        Assert.Equal("second\n", await File.ReadAllTextAsync(LogPath));
        Assert.Equal(2, Files().Count);
    }

    [Fact]
    public async Task A_missing_current_file_is_reopened_and_leftovers_of_an_interrupted_compression_are_removed()
    {
        var rotator = new ContainerLogRotator(new ContainerLogOptions { MaxSizeBytes = 1, MaxFiles = 5 }, _time);
        await Reopen(CancellationToken.None);
        Assert.False(await rotator.RotateIfNeededAsync(_dir.Combine("1.log"), ct => Reopen("1.log", ct), CancellationToken.None));
        Assert.True(File.Exists(_dir.Combine("1.log")));

        await File.WriteAllTextAsync(_dir.Combine("0.log.20261128-000000.gz.tmp"), "half");
        await File.WriteAllTextAsync(_dir.Combine("0.log.20261128-000001"), "done");
        await File.WriteAllTextAsync(_dir.Combine("0.log.20261128-000001.gz"), "done");
        await File.WriteAllTextAsync(LogPath, "now\n");
        Assert.True(await rotator.RotateIfNeededAsync(LogPath, Reopen, CancellationToken.None));
        Assert.DoesNotContain(Files(), f => f.EndsWith(".tmp", StringComparison.Ordinal) || f == "0.log.20261128-000001");
        Assert.Contains("0.log.20261128-000001.gz", Files());
    }

    /// <summary>What conmon does on ReopenContainerLog: a new, empty file at the original path.</summary>
    private Task Reopen(CancellationToken ct) => Reopen("0.log", ct);

    private Task Reopen(string name, CancellationToken ct) => File.WriteAllTextAsync(_dir.Combine(name), string.Empty, ct);

    private List<string> Files() => Directory.EnumerateFiles(_dir.Path).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();

    private sealed class SteppingTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public void Advance(TimeSpan by) => _now += by;
    }
}
