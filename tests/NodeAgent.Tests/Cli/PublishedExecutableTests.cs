using NodeAgent.Testing.Common;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Tests.Cli;

/// <summary>The real process: exit codes and streams as a shell or script sees them.</summary>
public sealed class PublishedExecutableTests
{
    private static readonly string NodeAgentDll = Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");

    [Fact]
    public async Task Version_runs_as_a_process()
    {
        using var cts = TestDeadline.Seconds(30);

        var result = await TestProcess.RunAsync("dotnet", ["exec", NodeAgentDll, "version"], cts.Token);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("CRI API version: v1", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_config_yaml_exits_2_with_line_and_column()
    {
        using var cts = TestDeadline.Seconds(30);
        using var dir = new TempDirectory(TestIds.NewPrefix());
        var config = dir.Combine("config.yaml");
        await File.WriteAllTextAsync(config, "data-dir: /x\nbridge: [unclosed\n", cts.Token);

        var result = await TestProcess.RunAsync("dotnet", ["exec", NodeAgentDll, "server", "--config", config], cts.Token);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches($@"^nodeagent server: {config}:\d+:\d+: invalid YAML", result.StandardError);
        Assert.Single(result.StandardError.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Environment_overrides_config_file_and_flag_overrides_environment()
    {
        using var cts = TestDeadline.Seconds(30);
        using var dir = new TempDirectory(TestIds.NewPrefix());
        var config = dir.Combine("config.yaml");
        await File.WriteAllTextAsync(config, "bridge: filebr\nrun-dir: /run/from-file\n", cts.Token);
        var env = new Dictionary<string, string> { ["NODEAGENT_CONFIG"] = config, ["NODEAGENT_BRIDGE"] = "envbr", ["NODEAGENT_POD_CIDR"] = "10.99.0.0/16" };

        var result = await TestProcess.RunAsync(
            "dotnet", ["exec", NodeAgentDll, "cri", "--print-config", "--pod-cidr", "10.98.0.0/16"], cts.Token, env);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("bridge: envbr  # NODEAGENT_BRIDGE", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("run-dir: /run/from-file  # " + config + ":2:10", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("pod-cidr: 10.98.0.0/16  # --pod-cidr", result.StandardOutput, StringComparison.Ordinal);
    }
}
