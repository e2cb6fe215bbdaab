using NodeAgent.Runtime.Containers.Stats;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Containers.Stats;

/// <summary>cgroup v2 files as the kernel writes them, in a fake cgroupfs tree (this machine has no v2 controllers).</summary>
public sealed class CgroupV2StatsReaderTests : IDisposable
{
    private readonly TempDirectory _root = new(TestIds.NewPrefix());

    [Fact]
    public void Reads_cpu_memory_and_pids_of_a_container_cgroup()
    {
        var cgroup = Cgroup("/pod1/ctr1");
        Write(cgroup, "cpu.stat", "usage_usec 2500123\nuser_usec 2000000\nsystem_usec 500123\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n");
        Write(cgroup, "memory.current", "10485760\n");
        Write(cgroup, "memory.stat", "anon 4194304\nfile 6291456\nkernel 0\nactive_file 2097152\ninactive_file 3145728\npgfault 1234\npgmajfault 7\n");
        Write(cgroup, "memory.max", "67108864\n");
        Write(cgroup, "pids.current", "3\n");

        var sample = new CgroupV2StatsReader(_root.Path).Read("/pod1/ctr1");

        Assert.NotNull(sample);
        Assert.Equal(2_500_123_000UL, sample.CpuUsageNanoseconds);
        Assert.Equal(3UL, sample.ProcessCount);
        var memory = Assert.IsType<MemorySample>(sample.Memory);
        Assert.Equal(10_485_760UL, memory.UsageBytes);
        Assert.Equal(10_485_760UL - 3_145_728UL, memory.WorkingSetBytes);
        Assert.Equal(4_194_304UL, memory.RssBytes);
        Assert.Equal((1234UL, 7UL), (memory.PageFaults, memory.MajorPageFaults));
        Assert.Equal(67_108_864UL, memory.LimitBytes);
        Assert.Equal(67_108_864UL - memory.WorkingSetBytes, memory.AvailableBytes);
    }

    [Fact]
    public void Memory_max_spelled_max_means_no_limit_and_no_available_bytes()
    {
        var cgroup = Cgroup("/pod2");
        Write(cgroup, "cpu.stat", "usage_usec 0\n");
        Write(cgroup, "memory.current", "4096\n");
        Write(cgroup, "memory.stat", "anon 4096\ninactive_file 8192\n");
        Write(cgroup, "memory.max", "max\n");

        var sample = new CgroupV2StatsReader(_root.Path).Read("/pod2")!;

        Assert.Null(sample.Memory!.LimitBytes);
        Assert.Null(sample.Memory.AvailableBytes);
        Assert.Equal(0UL, sample.Memory.WorkingSetBytes); // inactive file larger than usage: clamped, never wraps
        Assert.Null(sample.ProcessCount); // pids controller not enabled for this cgroup
    }

    [Fact]
    public void A_missing_cgroup_reads_as_null()
        => Assert.Null(new CgroupV2StatsReader(_root.Path).Read("/gone/ctr"));

    [Fact]
    public void The_probe_picks_v2_when_the_root_lists_controllers_and_v1_otherwise()
    {
        Assert.IsType<CgroupV1StatsReader>(CgroupStatsReaders.ForHost(_root.Path));
        Write(_root.Path, "cgroup.controllers", "cpuset cpu io memory pids\n");
        Assert.IsType<CgroupV2StatsReader>(CgroupStatsReaders.ForHost(_root.Path));
    }

    public void Dispose() => _root.Dispose();

    private string Cgroup(string path)
    {
        var directory = Path.Combine(_root.Path, path.TrimStart('/'));
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static void Write(string directory, string file, string content) => File.WriteAllText(Path.Combine(directory, file), content);
}
