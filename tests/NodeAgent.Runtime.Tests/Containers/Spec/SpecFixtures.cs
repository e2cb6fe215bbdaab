using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Images;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

/// <summary>Typical CRI requests (what kubelet sends for a simple pod) and a spec input around them.</summary>
internal static class SpecFixtures
{
    public const string RootfsPlaceholder = "/var/lib/nodeagent/snapshots/active/ctr-1/rootfs";

    public static PodSandboxConfig Sandbox(bool hostNetwork = false, bool privileged = false) => new()
    {
        Metadata = new PodSandboxMetadata { Name = "web", Namespace = "default", Uid = "0f1e2d3c", Attempt = 0 },
        Hostname = hostNetwork ? string.Empty : "web",
        LogDirectory = "/var/log/pods/default_web_0f1e2d3c",
        Linux = new LinuxPodSandboxConfig
        {
            CgroupParent = "/kubepods/besteffort/pod0f1e2d3c",
            SecurityContext = new LinuxSandboxSecurityContext
            {
                Privileged = privileged,
                NamespaceOptions = new NamespaceOption { Network = hostNetwork ? NamespaceMode.Node : NamespaceMode.Pod, Pid = NamespaceMode.Container, Ipc = NamespaceMode.Pod },
            },
        },
    };

    public static ContainerConfig Container() => new()
    {
        Metadata = new ContainerMetadata { Name = "app", Attempt = 0 },
        Image = new ImageSpec { Image = "sha256:4b2d", UserSpecifiedImage = "127.0.0.1:5000/library/busybox:latest" },
        Envs = { new KeyValue { Key = "GREETING", Value = "hello" } },
        Linux = new LinuxContainerConfig
        {
            Resources = new LinuxContainerResources { CpuShares = 2, CpuPeriod = 100000, OomScoreAdj = 1000 },
            SecurityContext = new LinuxContainerSecurityContext
            {
                NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Pod, Pid = NamespaceMode.Container, Ipc = NamespaceMode.Pod },
            },
        },
    };

    public static OciImageConfig Image(string? user = null) => new()
    {
        Architecture = "amd64",
        Os = "linux",
        Config = new OciRunConfig
        {
            User = user,
            Env = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"],
            Cmd = ["/bin/sh", "-c", "httpd -f -p 8080"],
            WorkingDir = "/srv",
        },
    };

    public static SandboxFiles Files { get; } = new(
        "/var/lib/nodeagent/sandboxes/sb-1/hosts",
        "/var/lib/nodeagent/sandboxes/sb-1/resolv.conf",
        "/var/lib/nodeagent/sandboxes/sb-1/hostname",
        "/run/nodeagent/sandboxes/sb-1/shm");

    public static ContainerSpecInput Input(ContainerConfig config, PodSandboxConfig sandbox, string rootfs = RootfsPlaceholder, OciImageConfig? image = null)
    {
        var hostNetwork = sandbox.Linux.SecurityContext.NamespaceOptions.Network == NamespaceMode.Node;
        return new ContainerSpecInput(
            "ctr-1",
            config,
            sandbox,
            image ?? Image(),
            rootfs,
            new SandboxNamespaces(hostNetwork ? null : "/run/netns/nodeagent-sb-1", 4242, SharePid: false),
            Files,
            CgroupPaths.ForContainer(CgroupPaths.PodParent(sandbox, "sb-1"), "ctr-1"))
        {
            SandboxId = "sb-1",
            Host = new FakeSpecHost(),
        };
    }

    /// <summary>A rootfs with the given /etc files in a temp dir.</summary>
    public static string WriteRootfs(string directory, string passwd, string group)
    {
        var etc = Directory.CreateDirectory(Path.Combine(directory, "etc")).FullName;
        File.WriteAllText(Path.Combine(etc, "passwd"), passwd);
        File.WriteAllText(Path.Combine(etc, "group"), group);
        return directory;
    }

    public const string Passwd = "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www-data:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";

    public const string Group = "root:x:0:\nwww:x:33:\nvideo:x:44:www,other\naudio:x:29:other\nnogroup:x:65534:\n";

    public static string Json(RuntimeSpec spec, string? rootfs = null)
    {
        var json = RuntimeSpecFile.Serialize(spec);
        return rootfs is null ? json : json.Replace(rootfs, "/ROOTFS", StringComparison.Ordinal);
    }
}
