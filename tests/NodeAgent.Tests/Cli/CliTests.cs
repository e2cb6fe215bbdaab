using System.Collections;
using NodeAgent.Cli;

namespace NodeAgent.Tests.Cli;

public sealed class CliTests
{
    [Fact]
    public async Task Version_prints_version_commit_and_cri_api_version()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(["version"]);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Empty(stderr);
        Assert.Matches(@"^nodeagent v\d+\.\d+\.\d+", stdout);
        Assert.Contains("commit: ", stdout, StringComparison.Ordinal);
        Assert.Contains("CRI API version: v1", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server", "--bogus")]
    [InlineData("cri", "--listen", "unix:///tmp/a.sock", "--no-such-flag")]
    [InlineData("version", "--extra")]
    public async Task Unknown_flags_are_one_line_usage_errors_naming_the_flag(params string[] args)
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains(args[^1], stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_cidr_flag_names_the_setting_and_value()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(["server", "--pod-cidr", "10.66.0.0/33"]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("pod-cidr", stderr, StringComparison.Ordinal);
        Assert.Contains("10.66.0.0/33", stderr, StringComparison.Ordinal);
        Assert.Contains("--pod-cidr", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cidr_with_host_bits_is_rejected()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(["server", "--service-cidr", "10.67.0.1/16"]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("service-cidr", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/run/nodeagent/cri.sock")]
    [InlineData("tcp://127.0.0.1:1234")]
    [InlineData("unix://relative.sock")]
    public async Task Endpoint_without_unix_scheme_is_rejected(string endpoint)
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(["cri", "--listen", endpoint]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains(endpoint, stderr, StringComparison.Ordinal);
        Assert.Contains("unix://", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_runtime_endpoint_from_environment_names_the_variable()
    {
        var env = new Hashtable { ["NODEAGENT_CONTAINER_RUNTIME_ENDPOINT"] = "/run/containerd/containerd.sock" };

        var (exitCode, _, stderr) = await CliRunner.RunAsync(["server"], env);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("NODEAGENT_CONTAINER_RUNTIME_ENDPOINT", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_config_file_is_named()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(["server", "--config", "/nonexistent/nodeagent.yaml"]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("/nonexistent/nodeagent.yaml", stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Print_config_succeeds_even_for_unbuilt_commands()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync(["server", "--print-config", "--api-port", "7443"]);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("api-port: 7443  # --api-port", stdout, StringComparison.Ordinal);
        Assert.Contains("pod-cidr: 10.66.0.0/16  # default", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eviction_hard_is_printed_and_bad_thresholds_name_the_flag()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync(["server", "--print-config", "--eviction-hard", "memory.available<1Gi,nodefs.available<5%"]);
        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("eviction-hard: \"memory.available<1Gi,nodefs.available<5%\"  # --eviction-hard", stdout, StringComparison.Ordinal);

        var (defaultCode, defaults, _) = await CliRunner.RunAsync(["server", "--print-config"]);
        Assert.Equal(ExitCodes.Success, defaultCode);
        Assert.Contains("eviction-hard: \"memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%,imagefs.inodesFree<5%\"  # default", defaults, StringComparison.Ordinal);

        var (badCode, _, stderr) = await CliRunner.RunAsync(["server", "--eviction-hard", "memory.available<lots"]);
        Assert.Equal(ExitCodes.Usage, badCode);
        Assert.Contains("--eviction-hard", stderr, StringComparison.Ordinal);
        Assert.Contains("invalid quantity \"lots\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_insecure_registry_flags_accumulate()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync(
            ["cri", "--print-config", "--insecure-registry", "127.0.0.1:5000", "--insecure-registry", "localhost:5001"]);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("  - 127.0.0.1:5000\n  - localhost:5001\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insecure_registry_without_port_is_rejected()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(["cri", "--insecure-registry", "myregistry"]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("\"myregistry\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Named_registry_config_that_does_not_exist_is_an_error()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(["cri", "--registry-config", "/nonexistent/registries.yaml"]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("/nonexistent/registries.yaml", stderr, StringComparison.Ordinal);
        Assert.Contains("--registry-config", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_oci_runtime_stops_the_cri_runtime_with_the_package_to_install()
    {
        using var temp = new Testing.Common.TempDirectory(Testing.Common.TestIds.NewPrefix());
        var (exitCode, _, stderr) = await CliRunner.RunAsync(
            ["cri", "--listen", $"unix://{temp.Combine("cri.sock")}", "--data-dir", temp.Combine("data"), "--run-dir", temp.Combine("run"), "--oci-runtime", "/nonexistent/crun"]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("/nonexistent/crun", stderr, StringComparison.Ordinal);
        Assert.Contains("scripts/install-deps.sh", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("cri.sock")));
    }
}
