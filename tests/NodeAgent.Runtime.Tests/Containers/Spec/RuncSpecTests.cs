using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Oci.Spec;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Leaks;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

/// <summary>A generated spec run by the real runc (root; CI is root): user, cwd, env, read-only rootfs, a bind mount, seccomp.</summary>
public sealed class RuncSpecTests
{
    private const string Script = "id; pwd; env; cat /data/hello.txt; echo written > /data/out.txt; touch /rootfs-write || echo ROOT-READONLY; grep -E '^(Seccomp|NoNewPrivs|CapAmb):' /proc/self/status; echo nofile=$(ulimit -n); echo oom=$(cat /proc/self/oom_score_adj)";

    // Inside the container /sys/fs/cgroup shows its own cgroup (runc binds it there on v1 and v2).
    private static readonly string CgroupScript = SpecHost.Instance.IsCgroupV2
        ? "; echo mem=$(cat /sys/fs/cgroup/memory.max) pids=$(cat /sys/fs/cgroup/pids.max)"
        : "; echo mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) pids=$(cat /sys/fs/cgroup/pids/pids.max) shares=$(cat /sys/fs/cgroup/cpu/cpu.shares)";

    [Fact]
    public async Task Busybox_container_runs_with_the_generated_user_cwd_env_mounts_and_readonly_rootfs()
    {
        using var cts = TestDeadline.Seconds(90);
        var prefix = TestIds.NewPrefix();
        var id = prefix + "-spec";
        using (var temp = new TempDirectory(prefix))
        {
            var bundle = Directory.CreateDirectory(temp.Combine("bundle")).FullName;
            var rootfs = await BusyboxRootfsAsync(Path.Combine(bundle, "rootfs"), cts.Token);
            var data = Directory.CreateDirectory(temp.Combine("data")).FullName;
            File.SetUnixFileMode(data, (UnixFileMode)0x1FF); // the container user (1000) writes here
            await File.WriteAllTextAsync(Path.Combine(data, "hello.txt"), "hello from the host\n", cts.Token);

            var spec = await ContainerSpecBuilder.BuildAsync(Input(id, rootfs, data, await SandboxFilesAsync(temp, cts.Token)), cts.Token);
            await RuntimeSpecFile.WriteAsync(Path.Combine(bundle, RuntimeSpecFile.FileName), spec, cts.Token);
            var state = temp.Combine("runc-state");
            try
            {
                var result = await ProcessRunner.Instance.RunAsync(
                    new ProcessSpec("runc", ["--root", state, "run", "--bundle", bundle, id]) { Timeout = TimeSpan.FromSeconds(60) }, cts.Token);
                Assert.True(result.Succeeded, $"runc run exited {result.ExitCode}: {result.StandardError}\n{result.StandardOutput}");
                var lines = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries);
                Assert.Contains("uid=1000(app) gid=1000(app) groups=1000(app),2000(extra),3000", lines);
                Assert.Contains("/work", lines);
                Assert.Contains("GREETING=hello from the spec", lines);
                Assert.Contains($"PATH={ProcessArgs.DefaultPath}", lines);
                Assert.Contains(lines, l => l.StartsWith("HOSTNAME=", StringComparison.Ordinal));
                Assert.Contains("hello from the host", lines);
                Assert.Contains("ROOT-READONLY", lines);
                Assert.Contains("Seccomp:\t2", lines); // the RuntimeDefault filter is in force
                Assert.Contains("NoNewPrivs:\t1", lines);
                Assert.Contains("CapAmb:\t0000000000000400", lines); // CAP_NET_BIND_SERVICE survives the switch to uid 1000
                Assert.Contains($"nofile={Rlimits.Build(SpecHost.Instance).Single().Soft}", lines);
                Assert.Contains("oom=0", lines); // asked for -500: clamped, since this node refuses negative values
                Assert.Contains(SpecHost.Instance.IsCgroupV2 ? "mem=67108864 pids=50" : "mem=67108864 pids=50 shares=256", lines);
                Assert.Contains("Read-only file system", result.StandardError, StringComparison.Ordinal);
                Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(data, "out.txt"), cts.Token));
                Assert.False(File.Exists(Path.Combine(rootfs, "rootfs-write")));
            }
            finally
            {
                // Removes the container's state and cgroups even when the run failed halfway.
                await ProcessRunner.Instance.RunAsync(new ProcessSpec("runc", ["--root", state, "delete", "-f", id]), CancellationToken.None);
            }
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    [Fact]
    public async Task Privileged_container_gets_all_capabilities_host_devices_and_writable_sys()
    {
        using var cts = TestDeadline.Seconds(90);
        var prefix = TestIds.NewPrefix();
        var id = prefix + "-priv";
        using (var temp = new TempDirectory(prefix))
        {
            var bundle = Directory.CreateDirectory(temp.Combine("bundle")).FullName;
            var rootfs = await BusyboxRootfsAsync(Path.Combine(bundle, "rootfs"), cts.Token);
            var input = Input(id, rootfs, Directory.CreateDirectory(temp.Combine("data")).FullName, await SandboxFilesAsync(temp, cts.Token));
            var config = input.Config.Clone();
            config.Command.Clear();
            config.Command.AddRange(["/bin/sh", "-c", "grep -E '^(CapEff|Seccomp):' /proc/self/status; grep ' /sys ' /proc/self/mounts | cut -d' ' -f4 | cut -d, -f1; test -c /dev/null && echo has-null"]);
            config.Linux.SecurityContext.RunAsUsername = string.Empty;
            config.Linux.SecurityContext.Privileged = true;
            var sandbox = input.Sandbox.Clone();
            sandbox.Linux.SecurityContext.Privileged = true;
            var spec = await ContainerSpecBuilder.BuildAsync(input with { Config = config, Sandbox = sandbox }, cts.Token);
            await RuntimeSpecFile.WriteAsync(Path.Combine(bundle, RuntimeSpecFile.FileName), spec, cts.Token);
            var state = temp.Combine("runc-state");
            try
            {
                var result = await ProcessRunner.Instance.RunAsync(
                    new ProcessSpec("runc", ["--root", state, "run", "--bundle", bundle, id]) { Timeout = TimeSpan.FromSeconds(60) }, cts.Token);
                Assert.True(result.Succeeded, $"runc run exited {result.ExitCode}: {result.StandardError}\n{result.StandardOutput}");
                var lines = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                Assert.Contains(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal)).Replace("CapBnd", "CapEff", StringComparison.Ordinal), lines);
                Assert.Contains("Seccomp:\t0", lines);
                Assert.Contains("rw", lines);
                Assert.Contains("has-null", lines);
            }
            finally
            {
                await ProcessRunner.Instance.RunAsync(new ProcessSpec("runc", ["--root", state, "delete", "-f", id]), CancellationToken.None);
            }
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    private static ContainerSpecInput Input(string id, string rootfs, string data, SandboxFiles files)
    {
        // No infra process here: the pod uses the host's network, IPC and UTS; the container gets its own PID namespace.
        var namespaces = new NamespaceOption { Network = NamespaceMode.Node, Pid = NamespaceMode.Container, Ipc = NamespaceMode.Node };
        var sandbox = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "spec", Namespace = "default", Uid = id },
            Linux = new LinuxPodSandboxConfig { SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = namespaces } },
        };
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = "app" },
            Command = { "/bin/sh", "-c", Script + CgroupScript },
            WorkingDir = "/work",
            Envs = { new KeyValue { Key = "GREETING", Value = "hello from the spec" } },
            Mounts = { new Mount { ContainerPath = "/data", HostPath = data } },
            Linux = new LinuxContainerConfig
            {
                Resources = new LinuxContainerResources { MemoryLimitInBytes = 64 << 20, CpuShares = 256, OomScoreAdj = -500, Unified = { ["pids.max"] = "50" } },
                SecurityContext = new LinuxContainerSecurityContext
                {
                    RunAsUsername = "app",
                    SupplementalGroups = { 3000 },
                    Capabilities = new Capability { AddAmbientCapabilities = { "NET_BIND_SERVICE" } },
                    ReadonlyRootfs = true,
                    NoNewPrivs = true,
                    NamespaceOptions = namespaces,
                    Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault },
                },
            },
        };
        return new ContainerSpecInput(id, config, sandbox, null, rootfs, new SandboxNamespaces(null, 0, SharePid: false), files, CgroupPaths.Validate("/" + id));
    }

    private static async Task<string> BusyboxRootfsAsync(string rootfs, CancellationToken ct)
    {
        await StaticElf.EnsureStaticAsync(BusyboxRootfs.HostBinary, BusyboxRootfs.Package, ct);
        foreach (var directory in new[] { "bin", "etc", "work", "tmp", "proc", "sys", "dev" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, directory));
        }

        File.Copy(BusyboxRootfs.HostBinary, Path.Combine(rootfs, "bin", "busybox"));
        foreach (var applet in new[] { "sh", "id", "pwd", "env", "cat", "touch", "grep", "cut", "test" })
        {
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
        }

        await File.WriteAllTextAsync(Path.Combine(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/work:/bin/sh\n", ct);
        await File.WriteAllTextAsync(Path.Combine(rootfs, "etc", "group"), "root:x:0:\napp:x:1000:\nextra:x:2000:app\n", ct);
        return rootfs;
    }

    private static async Task<SandboxFiles> SandboxFilesAsync(TempDirectory temp, CancellationToken ct)
    {
        var files = new SandboxFiles(temp.Combine("hosts"), temp.Combine("resolv.conf"), temp.Combine("hostname"), Directory.CreateDirectory(temp.Combine("shm")).FullName);
        await File.WriteAllTextAsync(files.HostsPath, "127.0.0.1 localhost\n", ct);
        await File.WriteAllTextAsync(files.ResolvConfPath, "nameserver 127.0.0.1\n", ct);
        await File.WriteAllTextAsync(files.HostnamePath, "spec\n", ct);
        return files;
    }
}
