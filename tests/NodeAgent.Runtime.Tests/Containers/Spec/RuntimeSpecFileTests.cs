using NodeAgent.Runtime.Oci.Spec;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

public sealed class RuntimeSpecFileTests
{
    [Fact]
    public async Task Spec_round_trips_through_config_json_with_spec_field_names_and_no_nulls()
    {
        using var temp = new TempDirectory(TestIds.NewPrefix());
        var path = temp.Combine(RuntimeSpecFile.FileName);
        var spec = new RuntimeSpec
        {
            Process = new OciProcess { Args = ["/bin/sh"], User = new OciUser(1, 2) { AdditionalGids = [3] }, NoNewPrivileges = true, OomScoreAdj = 5 },
            Root = new OciRoot("/rootfs", Readonly: true),
            Mounts = [new("/proc", "proc", "proc")],
            Linux = new OciLinux
            {
                Namespaces = [new(OciNamespaceType.Network, "/run/netns/x")],
                Resources = new OciResources { Devices = [new(false, Access: "rwm")], Cpu = new OciCpu { Shares = 2 } },
                CgroupsPath = "/nodeagent/x",
            },
        };

        await RuntimeSpecFile.WriteAsync(path, spec);
        await RuntimeSpecFile.WriteAsync(path, spec); // replaces atomically
        var json = await File.ReadAllTextAsync(path);
        Assert.Equal([RuntimeSpecFile.FileName], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName));
        foreach (var name in new[] { "\"ociVersion\": \"1.0.2\"", "\"noNewPrivileges\": true", "\"oomScoreAdj\": 5", "\"additionalGids\"", "\"readonly\": true", "\"cgroupsPath\"", "\"shares\": 2" })
        {
            Assert.Contains(name, json, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        var read = await RuntimeSpecFile.ReadAsync(path);
        Assert.Equal(RuntimeSpecFile.Serialize(spec), RuntimeSpecFile.Serialize(read));
    }
}
