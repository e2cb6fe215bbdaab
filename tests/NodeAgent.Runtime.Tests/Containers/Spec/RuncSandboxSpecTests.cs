using System.Text.Json;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Common.Processes;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Oci.Spec;
using NodeAgent.Testing.Common;
using NodeAgent.Testing.Images;
using NodeAgent.Testing.Leaks;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

/// <summary>
/// The sandbox spec run by the real runc: catatonit holds the pod's namespaces in a pinned netns, and a
/// container built from the container spec joins them (same hostname, catatonit is its PID 1).
/// </summary>
public sealed class RuncSandboxSpecTests
{
    [Fact]
    public async Task Container_joins_the_namespaces_held_by_the_catatonit_sandbox()
    {
        using var cts = TestDeadline.Seconds(90);
        var prefix = TestIds.NewPrefix();
        var sandboxId = prefix + "-sb";
        var containerId = prefix + "-ctr";
        var netns = prefix + "-ns";
        using (var temp = new TempDirectory(prefix))
        {
            var state = temp.Combine("runc-state");
            var pod = PodConfig(prefix);
            await RunAsync("ip", ["netns", "add", netns], cts.Token);
            System.Diagnostics.Process? infra = null;
            try
            {
                // The infra process: `runc run` stays in the foreground for as long as catatonit runs.
                var sandboxBundle = Directory.CreateDirectory(temp.Combine("sandbox")).FullName;
                var sandboxSpec = SandboxSpecBuilder.Build(new SandboxSpecInput(
                    sandboxId, pod, Directory.CreateDirectory(Path.Combine(sandboxBundle, "rootfs")).FullName, "/usr/bin/catatonit", $"/run/netns/{netns}", "/" + sandboxId));
                await RuntimeSpecFile.WriteAsync(Path.Combine(sandboxBundle, RuntimeSpecFile.FileName), sandboxSpec, cts.Token);
                infra = TestProcess.StartBackground("runc", ["--root", state, "run", "--bundle", sandboxBundle, sandboxId], temp.Combine("sandbox.log"));
                var infraPid = await Eventually.UntilAsync(ct => RunningPidAsync(state, sandboxId, ct), "the sandbox to run", cts.Token);

                var bundle = Directory.CreateDirectory(temp.Combine("container")).FullName;
                var rootfs = await BusyboxAsync(Path.Combine(bundle, "rootfs"), cts.Token);
                var config = new ContainerConfig
                {
                    Metadata = new ContainerMetadata { Name = "probe" },
                    Command = { "/bin/sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; ip -o link show | cut -d: -f2; cat /proc/sys/net/ipv4/ip_unprivileged_port_start" },
                    Linux = new LinuxContainerConfig { SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = pod.Linux.SecurityContext.NamespaceOptions } },
                };
                var input = new ContainerSpecInput(
                    containerId, config, pod, null, rootfs, new SandboxNamespaces($"/run/netns/{netns}", int.Parse(infraPid, System.Globalization.CultureInfo.InvariantCulture), SharePid: true),
                    await FilesAsync(temp, cts.Token), "/" + containerId);
                await RuntimeSpecFile.WriteAsync(Path.Combine(bundle, RuntimeSpecFile.FileName), await ContainerSpecBuilder.BuildAsync(input, cts.Token), cts.Token);

                var result = await ProcessRunner.Instance.RunAsync(
                    new ProcessSpec("runc", ["--root", state, "run", "--bundle", bundle, containerId]) { Timeout = TimeSpan.FromSeconds(60) }, cts.Token);
                Assert.True(result.Succeeded, $"runc run exited {result.ExitCode}: {result.StandardError}\n{result.StandardOutput}");
                var lines = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                // hostname from the sandbox's UTS, catatonit as PID 1, only loopback in the fresh netns, the pod sysctl set by the sandbox.
                Assert.Equal(["spec-pod", $"{SandboxSpecBuilder.CatatonitDestination} -P", "lo", "0"], lines);
            }
            finally
            {
                await RunAsync("runc", ["--root", state, "delete", "-f", containerId], CancellationToken.None, check: false);
                await RunAsync("runc", ["--root", state, "kill", sandboxId, "KILL"], CancellationToken.None, check: false);
                if (infra is not null)
                {
                    await TestProcess.StopAsync(infra, TimeSpan.FromSeconds(10));
                    infra.Dispose();
                }

                await RunAsync("runc", ["--root", state, "delete", "-f", sandboxId], CancellationToken.None, check: false);
                await RunAsync("ip", ["netns", "delete", netns], CancellationToken.None, check: false);
            }
        }

        await LeakCheck.AssertCleanAsync(prefix, cts.Token);
    }

    private static PodSandboxConfig PodConfig(string prefix) => new()
    {
        Metadata = new PodSandboxMetadata { Name = "spec-pod", Namespace = "default", Uid = prefix },
        Hostname = "spec-pod",
        Linux = new LinuxPodSandboxConfig
        {
            Sysctls = { ["net.ipv4.ip_unprivileged_port_start"] = "0" },
            SecurityContext = new LinuxSandboxSecurityContext
            {
                NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Pod, Pid = NamespaceMode.Pod, Ipc = NamespaceMode.Pod },
            },
        },
    };

    private static async Task<string?> RunningPidAsync(string state, string id, CancellationToken ct)
    {
        var result = await ProcessRunner.Instance.RunAsync(new ProcessSpec("runc", ["--root", state, "state", id]), ct);
        if (!result.Succeeded)
        {
            return null;
        }

        using var json = JsonDocument.Parse(result.StandardOutput);
        return json.RootElement.GetProperty("status").GetString() == "running" ? json.RootElement.GetProperty("pid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static async Task<string> BusyboxAsync(string rootfs, CancellationToken ct)
    {
        await StaticElf.EnsureStaticAsync(BusyboxRootfs.HostBinary, BusyboxRootfs.Package, ct);
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        File.Copy(BusyboxRootfs.HostBinary, Path.Combine(rootfs, "bin", "busybox"));
        foreach (var applet in new[] { "sh", "hostname", "cat", "tr", "ip", "cut" })
        {
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
        }

        return rootfs;
    }

    private static async Task<SandboxFiles> FilesAsync(TempDirectory temp, CancellationToken ct)
    {
        var files = new SandboxFiles(temp.Combine("hosts"), temp.Combine("resolv.conf"), temp.Combine("hostname"), Directory.CreateDirectory(temp.Combine("shm")).FullName);
        foreach (var path in new[] { files.HostsPath, files.ResolvConfPath, files.HostnamePath })
        {
            await File.WriteAllTextAsync(path, string.Empty, ct);
        }

        return files;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct, bool check = true)
    {
        var result = await ProcessRunner.Instance.RunAsync(new ProcessSpec(program, arguments), ct);
        if (check)
        {
            Assert.True(result.Succeeded, $"{program} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.StandardError}");
        }
    }
}
