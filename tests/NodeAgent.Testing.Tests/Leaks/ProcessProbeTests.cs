using NodeAgent.Testing.Leaks;

namespace NodeAgent.Testing.Tests.Leaks;

public class ProcessProbeTests
{
    [Fact]
    public void The_test_process_itself_is_never_reported()
    {
        // Our own command line is a string we know matches; only the exclusion hides it.
        var own = ProcCmdline.Parse(File.ReadAllBytes($"/proc/{Environment.ProcessId}/cmdline"));
        var token = own.First(a => a.Length >= PrefixMatch.MinimumLength);

        Assert.DoesNotContain(ProcessProbe.Find("/proc", token, Environment.ProcessId), p => p.Pid == Environment.ProcessId);
        Assert.Contains(ProcessProbe.Find("/proc", token, excludePid: -1), p => p.Pid == Environment.ProcessId);
    }
}
