using System.Text;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Errors;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Common;

public sealed class ProcessRunnerTests
{
    [Fact]
    public async Task Passes_stdin_and_arguments_and_returns_output_and_exit_code()
    {
        using var deadline = TestDeadline.Seconds(10);
        var spec = new ProcessSpec("/bin/busybox", ["sh", "-c", "cat; echo \"$1\" >&2; exit 4", "sh", "arg with space"])
        {
            StandardInput = Encoding.UTF8.GetBytes("from stdin"),
        };

        var result = await ProcessRunner.Instance.RunAsync(spec, deadline.Token);

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("from stdin", result.StandardOutput);
        Assert.Equal("arg with space\n", result.StandardError);
    }

    [Fact]
    public async Task A_cleared_environment_holds_only_the_given_variables()
    {
        using var deadline = TestDeadline.Seconds(10);
        var spec = new ProcessSpec("/bin/busybox", ["env"])
        {
            ClearEnvironment = true,
            Environment = new Dictionary<string, string?> { ["CNI_COMMAND"] = "VERSION" },
        };

        var result = await ProcessRunner.Instance.RunAsync(spec, deadline.Token);

        Assert.Equal("CNI_COMMAND=VERSION", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task A_program_over_its_timeout_is_killed_and_reported()
    {
        using var deadline = TestDeadline.Seconds(10);
        var spec = new ProcessSpec("/bin/busybox", ["sleep", "30"]) { Timeout = TimeSpan.FromMilliseconds(200) };

        var error = await Assert.ThrowsAsync<RuntimeException>(() => ProcessRunner.Instance.RunAsync(spec, deadline.Token));

        Assert.Equal(RuntimeErrorKind.Unavailable, error.Kind);
        Assert.Contains("killed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_program_is_a_failed_precondition_naming_it()
    {
        using var deadline = TestDeadline.Seconds(10);
        var error = await Assert.ThrowsAsync<RuntimeException>(
            () => ProcessRunner.Instance.RunAsync(new ProcessSpec("/nonexistent/tool", []), deadline.Token));

        Assert.Equal(RuntimeErrorKind.FailedPrecondition, error.Kind);
        Assert.Contains("/nonexistent/tool", error.Message, StringComparison.Ordinal);
    }
}
