using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

public sealed class ProcessArgsTests
{
    private static readonly OciRunConfig Image = new()
    {
        Entrypoint = ["/docker-entrypoint.sh"],
        Cmd = ["nginx", "-g", "daemon off;"],
        Env = ["PATH=/opt/bin:/bin", "MODE=image", "EMPTY"],
        WorkingDir = "/srv",
    };

    [Fact]
    public void Image_entrypoint_and_cmd_run_when_the_config_says_nothing()
        => Assert.Equal(["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"], ProcessArgs.Args(new ContainerConfig(), Image));

    [Fact]
    public void Args_replace_only_the_image_cmd()
        => Assert.Equal(["/docker-entrypoint.sh", "echo", "hi"], ProcessArgs.Args(new ContainerConfig { Args = { "echo", "hi" } }, Image));

    [Fact]
    public void Command_replaces_the_entrypoint_and_drops_the_image_cmd()
    {
        Assert.Equal(["/bin/sleep"], ProcessArgs.Args(new ContainerConfig { Command = { "/bin/sleep" } }, Image));
        Assert.Equal(["/bin/sleep", "60"], ProcessArgs.Args(new ContainerConfig { Command = { "/bin/sleep" }, Args = { "60" } }, Image));
    }

    [Fact]
    public void Nothing_to_run_is_invalid()
    {
        var e = Assert.Throws<RuntimeException>(() => ProcessArgs.Args(new ContainerConfig { Metadata = new ContainerMetadata { Name = "x" } }, new OciRunConfig()));
        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
        Assert.Throws<RuntimeException>(() => ProcessArgs.Args(new ContainerConfig(), null));
    }

    [Fact]
    public void Env_is_image_then_config_with_later_values_replacing_in_place()
    {
        var config = new ContainerConfig { Envs = { new KeyValue { Key = "MODE", Value = "config" }, new KeyValue { Key = "HOSTNAME", Value = "mine" }, new KeyValue { Key = "NEW", Value = "a=b" } } };
        Assert.Equal(
            ["PATH=/opt/bin:/bin", "HOSTNAME=mine", "MODE=config", "EMPTY=", "NEW=a=b"],
            ProcessArgs.Env(config, Image, "web"));
    }

    [Fact]
    public void Path_defaults_when_neither_image_nor_config_sets_it_and_hostname_is_set()
        => Assert.Equal([$"PATH={ProcessArgs.DefaultPath}", "HOSTNAME=web"], ProcessArgs.Env(new ContainerConfig(), null, "web"));

    [Theory]
    [InlineData("/work", "/srv", "/work")]
    [InlineData("", "/srv", "/srv")]
    [InlineData("", null, "/")]
    public void Cwd_is_working_dir_then_image_then_root(string workingDir, string? imageDir, string expected)
        => Assert.Equal(expected, ProcessArgs.Cwd(new ContainerConfig { WorkingDir = workingDir }, new OciRunConfig { WorkingDir = imageDir }));

    [Fact]
    public void Relative_cwd_is_invalid()
        => Assert.Equal(RuntimeErrorKind.Invalid, Assert.Throws<RuntimeException>(() => ProcessArgs.Cwd(new ContainerConfig { WorkingDir = "work" }, null)).Kind);
}
