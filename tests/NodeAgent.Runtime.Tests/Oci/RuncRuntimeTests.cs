using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Runtime.Tests.Oci;

/// <summary>runc + conmon for real: create, start, logs, exit codes, exec, signals, delete.</summary>
public sealed class RuncRuntimeTests : IDisposable
{
    private readonly string _prefix = TestIds.NewPrefix();
    private readonly TempDirectory _temp;
    private readonly RuncRuntime _runtime;

    public RuncRuntimeTests()
    {
        _temp = new TempDirectory(_prefix);
        _runtime = new RuncRuntime(
            new OciRuntimeOptions
            {
                StateRoot = _temp.Combine("runc"),
                ExitDirectory = _temp.Combine("exits"),
                AttachDirectory = _temp.Combine("attach"),
            },
            ProcessRunner.Instance);
    }

    [Fact]
    public async Task Container_under_conmon_logs_in_cri_format_and_reports_its_exit_code()
    {
        using var deadline = TestDeadline.Seconds(30);
        var id = _prefix + "-exit";
        var bundle = await BusyboxBundle.CreateAsync(_temp.Combine(id), ["/bin/sh", "-c", "echo out; echo err >&2; exit 7"], deadline.Token);
        var log = _temp.Combine("exit.log");

        var launch = new ContainerLaunch(id, "exit", bundle, log);
        var pid = await _runtime.CreateAsync(launch, deadline.Token);
        Assert.True(pid > 0);
        // The monitor's pid is known as soon as create returns (the runtime tells "exit not written yet" from "monitor gone" by it).
        var conmonPid = int.Parse(await File.ReadAllTextAsync(launch.ConmonPidFile, deadline.Token), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ProcessSignals.IsAlive(conmonPid));
        Assert.Equal("created", (await _runtime.StateAsync(id, deadline.Token))!.Status);

        await _runtime.StartAsync(id, deadline.Token);
        var exit = await _runtime.WaitForExitAsync(id, deadline.Token);

        Assert.Equal(7, exit.ExitCode);
        Assert.Equal(7, _runtime.ReadExit(id)!.ExitCode);
        var lines = await File.ReadAllLinesAsync(log, deadline.Token);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d stdout F out$"));
        Assert.Contains(lines, l => l.EndsWith(" stderr F err", StringComparison.Ordinal));

        await _runtime.DeleteAsync(id, deadline.Token);
        Assert.Null(await _runtime.StateAsync(id, deadline.Token));
        await _runtime.DeleteAsync(id, deadline.Token);
    }

    [Fact]
    public async Task Start_through_the_exec_fifo_runs_the_process_and_a_second_start_gets_runc_s_error()
    {
        using var deadline = TestDeadline.Seconds(30);
        var id = _prefix + "-start";
        var bundle = await BusyboxBundle.CreateAsync(_temp.Combine(id), ["/bin/sleep", "60"], deadline.Token);
        var pid = await _runtime.CreateAsync(new ContainerLaunch(id, "start", bundle, _temp.Combine("start.log")), deadline.Token);
        var fifo = Path.Combine(_temp.Combine("runc"), id, "exec.fifo");
        Assert.True(File.Exists(fifo));

        // What RuncRuntime.StartAsync tries first, called directly to prove no `runc start` was needed.
        Assert.Equal(ExecFifo.Outcome.Started, await ExecFifo.StartAsync(_temp.Combine("runc"), id, TimeSpan.FromSeconds(10), deadline.Token));

        // runc itself sees what `runc start` would have left: a running init that exec'd the command, no fifo.
        var state = await _runtime.StateAsync(id, deadline.Token);
        Assert.Equal("running", state!.Status);
        Assert.Equal(pid, state.Pid);
        Assert.False(File.Exists(fifo));
        Assert.Contains("sleep", await File.ReadAllTextAsync($"/proc/{pid}/cmdline", deadline.Token), StringComparison.Ordinal);
        var again = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.StartAsync(id, deadline.Token));
        Assert.Contains("cannot start an already running container", again.Message, StringComparison.Ordinal);

        await _runtime.KillAsync(id, ProcessSignals.SigKill, all: true, deadline.Token);
        await _runtime.WaitForExitAsync(id, deadline.Token);
        await _runtime.DeleteAsync(id, deadline.Token);
    }

    [Fact]
    public async Task Start_of_a_container_whose_init_died_fails_as_runc_start_does()
    {
        using var deadline = TestDeadline.Seconds(30);
        var id = _prefix + "-dead";
        var bundle = await BusyboxBundle.CreateAsync(_temp.Combine(id), ["/bin/sleep", "60"], deadline.Token);
        var pid = await _runtime.CreateAsync(new ContainerLaunch(id, "dead", bundle, _temp.Combine("dead.log")), deadline.Token);
        Assert.True(ProcessSignals.Send(pid, ProcessSignals.SigKill));
        await _runtime.WaitForExitAsync(id, deadline.Token);

        Assert.Equal(ExecFifo.Outcome.NotHandled, await ExecFifo.StartAsync(_temp.Combine("runc"), id, TimeSpan.FromSeconds(10), deadline.Token));
        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.StartAsync(id, deadline.Token));

        Assert.Contains("cannot start a container that has stopped", error.Message, StringComparison.Ordinal);
        await _runtime.DeleteAsync(id, deadline.Token);
    }

    [Fact]
    public async Task Exec_returns_output_and_exit_code_and_a_timeout_kills_the_command()
    {
        using var deadline = TestDeadline.Seconds(40);
        var id = _prefix + "-exec";
        var bundle = await BusyboxBundle.CreateAsync(_temp.Combine(id), ["/bin/sleep", "300"], deadline.Token);
        await _runtime.CreateAsync(new ContainerLaunch(id, "exec", bundle, _temp.Combine("exec.log")), deadline.Token);
        await _runtime.StartAsync(id, deadline.Token);
        try
        {
            var echo = await WriteProcessAsync("echo.json", ["/bin/sh", "-c", "echo hello; echo oops >&2; exit 3"], deadline.Token);
            var result = await _runtime.ExecAsync(id, echo, TimeSpan.FromSeconds(10), deadline.Token);
            Assert.Equal(3, result.ExitCode);
            Assert.Equal("hello\n", result.StandardOutput);
            Assert.Equal("oops\n", result.StandardError);

            var hang = await WriteProcessAsync("hang.json", ["/bin/sleep", "60"], deadline.Token);
            await Assert.ThrowsAsync<TimeoutException>(() => _runtime.ExecAsync(id, hang, TimeSpan.FromMilliseconds(500), deadline.Token));
            Assert.Equal("running", (await _runtime.StateAsync(id, deadline.Token))!.Status);
        }
        finally
        {
            await _runtime.KillAsync(id, ProcessSignals.SigKill, all: true, CancellationToken.None);
            await _runtime.WaitForExitAsync(id, deadline.Token);
            await _runtime.DeleteAsync(id, CancellationToken.None);
        }

        Assert.Equal(137, _runtime.ReadExit(id)!.ExitCode);
        await _runtime.KillAsync(id, ProcessSignals.SigTerm, all: false, deadline.Token);
    }

    [Fact]
    public async Task Detached_infra_process_runs_without_a_monitor_and_is_killed_and_deleted()
    {
        using var deadline = TestDeadline.Seconds(30);
        var id = _prefix + "-infra";
        var bundle = await BusyboxBundle.CreateAsync(_temp.Combine(id), ["/bin/sleep", "300"], deadline.Token);

        var pid = await _runtime.RunDetachedAsync(id, bundle, deadline.Token);

        Assert.True(ProcessSignals.IsAlive(pid));
        Assert.Equal("running", (await _runtime.StateAsync(id, deadline.Token))!.Status);
        await _runtime.KillAsync(id, ProcessSignals.SigKill, all: false, deadline.Token);
        await Eventually.UntilAsync(async ct => (await _runtime.StateAsync(id, ct))!.Status == "stopped", "infra stopped", deadline.Token);
        await _runtime.DeleteAsync(id, deadline.Token);
    }

    [Fact]
    public async Task A_bad_bundle_fails_create_with_runc_s_message()
    {
        using var deadline = TestDeadline.Seconds(30);
        var id = _prefix + "-bad";
        var bundle = await BusyboxBundle.CreateAsync(_temp.Combine(id), ["/bin/does-not-exist"], deadline.Token);

        var error = await Assert.ThrowsAsync<RuntimeException>(async () =>
        {
            var pid = await _runtime.CreateAsync(new ContainerLaunch(id, "bad", bundle, _temp.Combine("bad.log")), deadline.Token);
            await _runtime.StartAsync(id, deadline.Token);
        });

        Assert.Contains("does-not-exist", error.Message, StringComparison.Ordinal);
        await _runtime.DeleteAsync(id, deadline.Token);
    }

    public void Dispose()
    {
        _runtime.Dispose();
        _temp.Dispose();
        using var deadline = TestDeadline.Seconds(20);
        LeakCheck.AssertCleanAsync(_prefix, deadline.Token).GetAwaiter().GetResult();
    }

    private async Task<string> WriteProcessAsync(string name, string[] args, CancellationToken cancellationToken)
    {
        var path = _temp.Combine(name);
        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["args"] = new System.Text.Json.Nodes.JsonArray(args.Select(a => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(a)!).ToArray()),
            ["cwd"] = "/",
            ["env"] = new System.Text.Json.Nodes.JsonArray("PATH=/bin"),
            ["user"] = new System.Text.Json.Nodes.JsonObject { ["uid"] = 0, ["gid"] = 0 },
        };
        await File.WriteAllTextAsync(path, json.ToJsonString(), cancellationToken);
        return path;
    }
}
