using NodeAgent.Testing.Leaks;

namespace NodeAgent.Testing.Tests.Leaks;

public class LeakReportTests
{
    private static LeakReport Empty(string prefix) => new(prefix, [], [], [], [], [], [], [], []);

    [Fact]
    public void An_empty_report_is_clean_and_says_so()
    {
        var report = Empty("nat3f9a2c");

        Assert.True(report.IsClean);
        Assert.Equal("No leaks for prefix 'nat3f9a2c'.", report.ToString());
    }

    [Fact]
    public void A_dirty_report_lists_only_the_categories_with_leftovers()
    {
        var report = Empty("nat3f9a2c") with
        {
            Mounts = [new MountEntry(50, 27, "0:40", "/", "/tmp/nat3f9a2c-x", "tmpfs", "tmpfs")],
            NetworkInterfaces = ["nat3f9a2cb", "nat3f9a2cv"],
            Processes = [new LeakedProcess(4242, "/usr/bin/tail -f /tmp/nat3f9a2c-x/log")],
        };

        Assert.False(report.IsClean);
        Assert.Equal(
            """
            Leaks for prefix 'nat3f9a2c':
              mounts (1):
                /tmp/nat3f9a2c-x (tmpfs from tmpfs)
              network interfaces (2):
                nat3f9a2cb
                nat3f9a2cv
              processes (1):
                pid 4242: /usr/bin/tail -f /tmp/nat3f9a2c-x/log
            """,
            report.ToString());
    }

    [Fact]
    public void The_leak_exception_carries_the_report_text()
    {
        var report = Empty("nat3f9a2c") with { TempEntries = ["/tmp/nat3f9a2c-abc"] };

        var exception = new LeakException(report);

        Assert.Same(report, exception.Report);
        Assert.Contains("temp entries (1):\n    /tmp/nat3f9a2c-abc", exception.Message, StringComparison.Ordinal);
    }
}
