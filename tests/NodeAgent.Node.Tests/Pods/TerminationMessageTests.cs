using NodeAgent.Node.Pods;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Pods;

public sealed class TerminationMessageTests : IDisposable
{
    private readonly TempDirectory _dir = new(TestIds.NewPrefix());

    public void Dispose() => _dir.Dispose();

    private string Log(params string[] records)
    {
        var path = _dir.Combine("0.log");
        File.WriteAllText(path, string.Join('\n', records) + "\n");
        return path;
    }

    [Fact]
    public void The_tail_joins_partial_lines_and_drops_the_cri_prefix()
    {
        var path = Log(
            "2026-11-28T10:00:00.000000001Z stdout F one",
            "2026-11-28T10:00:00.000000002Z stderr P tw",
            "2026-11-28T10:00:00.000000003Z stderr F o",
            "2026-11-28T10:00:00.000000004Z stdout F ");

        Assert.Equal("one\ntwo\n\n", TerminationMessage.LogTail(path, 80, 2048));
    }

    [Fact]
    public void The_tail_keeps_the_last_lines_and_at_most_the_byte_limit()
    {
        var path = Log(Enumerable.Range(1, 200).Select(i => $"2026-11-28T10:00:00Z stdout F line {i}").ToArray());

        var lines = TerminationMessage.LogTail(path, 80, 2048)!.TrimEnd('\n').Split('\n');
        Assert.Equal(80, lines.Length);
        Assert.Equal("line 121", lines[0]);
        Assert.Equal("line 200", lines[^1]);

        var bytes = TerminationMessage.LogTail(path, 80, 20)!;
        Assert.Equal("ne 199\nline 200\n", bytes[^16..]);
        Assert.Equal(20, bytes.Length);
    }

    [Fact]
    public void A_missing_log_has_no_tail() => Assert.Null(TerminationMessage.LogTail(_dir.Combine("absent.log"), 80, 2048));
}
