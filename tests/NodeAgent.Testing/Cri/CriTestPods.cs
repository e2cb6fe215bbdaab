using NodeAgent.Cri.V1;

namespace NodeAgent.Testing.Cri;

/// <summary>The smallest valid CRI pod and container configs tests build on (any CRI runtime: ours or containerd).</summary>
public static class CriTestPods
{
    public static PodSandboxConfig Sandbox(string name, string logDirectory, string cgroupParent) => new()
    {
        Metadata = new PodSandboxMetadata { Name = name, Namespace = "default", Uid = Guid.NewGuid().ToString(), Attempt = 0 },
        Hostname = name,
        LogDirectory = logDirectory,
        Linux = new LinuxPodSandboxConfig { CgroupParent = cgroupParent },
    };

    public static CreateContainerRequest Container(string sandboxId, PodSandboxConfig sandbox, string name, string image, params string[] command) => new()
    {
        PodSandboxId = sandboxId,
        SandboxConfig = sandbox,
        Config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = image },
            Command = { command },
            LogPath = $"{name}/0.log",
        },
    };
}
