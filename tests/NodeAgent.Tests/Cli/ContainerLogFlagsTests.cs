using System.Collections;
using NodeAgent.Cli;
using NodeAgent.Testing.Common;

namespace NodeAgent.Tests.Cli;

/// <summary>--container-log-max-size and --container-log-max-files: kubelet's defaults, the env and file forms, validation.</summary>
public sealed class ContainerLogFlagsTests : IDisposable
{
    private readonly TempDirectory _dir = new(TestIds.NewPrefix());

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Defaults_are_kubelets_and_print_config_shows_them()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync(["server", "--print-config"]);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("container-log-max-size: 10Mi  # default\n", stdout, StringComparison.Ordinal);
        Assert.Contains("container-log-max-files: 5  # default\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flag_env_and_config_file_forms_are_read()
    {
        var config = _dir.Combine("config.yaml");
        await File.WriteAllTextAsync(config, "container-log-max-files: 3\n");
        var env = new Hashtable { ["NODEAGENT_CONTAINER_LOG_MAX_SIZE"] = "64Ki" };

        var (exitCode, stdout, _) = await CliRunner.RunAsync(["server", "--print-config", "--config", config], env);
        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("container-log-max-size: 64Ki  # NODEAGENT_CONTAINER_LOG_MAX_SIZE\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"container-log-max-files: 3  # {config}:1:26\n", stdout, StringComparison.Ordinal);

        (exitCode, stdout, _) = await CliRunner.RunAsync(["server", "--print-config", "--container-log-max-size", "1Mi", "--container-log-max-files", "2"], env);
        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("container-log-max-size: 1Mi  # --container-log-max-size\n", stdout, StringComparison.Ordinal);
        Assert.Contains("container-log-max-files: 2  # --container-log-max-files\n", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--container-log-max-files", "1", "invalid container-log-max-files \"1\" (from --container-log-max-files): must be 2 or more")]
    [InlineData("--container-log-max-files", "many", "invalid container-log-max-files \"many\" (from --container-log-max-files): not a whole number")]
    [InlineData("--container-log-max-size", "0", "invalid container-log-max-size \"0\" (from --container-log-max-size): must be greater than 0")]
    [InlineData("--container-log-max-size", "10MB", "invalid container-log-max-size \"10MB\" (from --container-log-max-size): not a size such as 10Mi")]
    public async Task Bad_values_are_refused_naming_the_flag(string flag, string value, string message)
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(["server", flag, value]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("nodeagent server: " + message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_env_value_names_the_variable()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(["server"], new Hashtable { ["NODEAGENT_CONTAINER_LOG_MAX_FILES"] = "0" });

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("invalid container-log-max-files \"0\" (from NODEAGENT_CONTAINER_LOG_MAX_FILES)", stderr, StringComparison.Ordinal);
    }
}
