using System.Runtime.InteropServices;
using NodeAgent.Node.Api;

namespace NodeAgent.Node.Tests.Api;

public sealed class MachineInfoTests
{
    private const string MemInfo = "MemTotal:       16314660 kB\nMemFree:         1234567 kB\nMemAvailable:    8000000 kB\nHugePages_Total:       0\n";

    [Theory]
    [InlineData("MemTotal", 16314660L * 1024)]
    [InlineData("MemAvailable", 8000000L * 1024)]
    [InlineData("HugePages_Total", 0L)]
    public void Meminfo_fields_are_read_in_bytes(string field, long bytes) => Assert.Equal(bytes, MachineInfo.MemInfoBytes(MemInfo, field));

    [Fact]
    public void A_missing_meminfo_field_is_null() => Assert.Null(MachineInfo.MemInfoBytes(MemInfo, "SwapTotal"));

    [Fact]
    public void Os_image_is_the_unquoted_pretty_name()
        => Assert.Equal("Debian GNU/Linux 12 (bookworm)", MachineInfo.OsReleasePrettyName("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"));

    [Theory]
    [InlineData(Architecture.X64, "amd64")]
    [InlineData(Architecture.Arm64, "arm64")]
    public void Architecture_is_spelled_as_go_does(Architecture architecture, string expected) => Assert.Equal(expected, MachineInfo.GoArchitecture(architecture));

    [Fact]
    public void This_machine_reads_sensibly()
    {
        var machine = MachineInfo.Read(Path.GetTempPath());
        Assert.Equal(Environment.ProcessorCount, machine.Cpus);
        Assert.True(machine.MemoryBytes > machine.MemoryAvailableBytes && machine.MemoryAvailableBytes > 0);
        Assert.True(machine.DiskBytes >= machine.DiskAvailableBytes && machine.DiskBytes > 0);
        Assert.True(machine.Processes > 0 && machine.PidMax > machine.Processes);
        Assert.NotEmpty(machine.KernelVersion);
        Assert.NotEmpty(machine.BootId);
    }
}
