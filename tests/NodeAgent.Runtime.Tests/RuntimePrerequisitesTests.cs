using NodeAgent.Runtime.Errors;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests;

public sealed class RuntimePrerequisitesTests
{
    [Fact]
    public void This_machine_has_everything_the_runtime_needs()
        => RuntimePrerequisites.Check(new RuntimeOptions { DataDir = "/unused", RunDir = "/unused" });

    [Fact]
    public void Missing_programs_and_overlayfs_are_named_with_their_packages()
    {
        using var temp = new TempDirectory(TestIds.NewPrefix());
        var filesystems = temp.Combine("filesystems");
        File.WriteAllText(filesystems, "nodev\tsysfs\nnodev\ttmpfs\n");
        var notExecutable = temp.Combine("conmon");
        File.WriteAllText(notExecutable, string.Empty);

        var error = Assert.Throws<RuntimeException>(() => RuntimePrerequisites.Check(
            new RuntimeOptions { DataDir = "/unused", RunDir = "/unused", OciRuntimePath = temp.Combine("runc") },
            conmonPath: notExecutable,
            procFilesystems: filesystems));

        Assert.Equal(RuntimeErrorKind.FailedPrecondition, error.Kind);
        Assert.Contains("Debian package runc", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not executable", error.Message, StringComparison.Ordinal);
        Assert.Contains("overlay", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("catatonit", error.Message, StringComparison.Ordinal);
    }
}
