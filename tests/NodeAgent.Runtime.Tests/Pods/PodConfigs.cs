using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Tests.Pods;

/// <summary>Minimal CRI pod and container configs the scenarios build on.</summary>
internal static class PodConfigs
{
    public static PodSandboxConfig Sandbox(IPodRuntimeTarget target, string name) => new()
    {
        Metadata = new PodSandboxMetadata { Name = name, Namespace = "default", Uid = Guid.NewGuid().ToString(), Attempt = 0 },
        Hostname = name,
        LogDirectory = Path.Combine(target.LogRoot, name),
        Labels = { ["app"] = name, ["suite"] = target.Prefix },
        Linux = new LinuxPodSandboxConfig
        {
            CgroupParent = $"/{target.Prefix}/{name}",
            SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption { Pid = NamespaceMode.Container } },
        },
    };

    public static CreateContainerRequest Container(IPodRuntimeTarget target, string sandboxId, PodSandboxConfig sandbox, string name, params string[] command) => new()
    {
        PodSandboxId = sandboxId,
        SandboxConfig = sandbox,
        Config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = target.BusyboxImage },
            Command = { command },
            LogPath = $"{name}/0.log",
            Labels = { ["container"] = name },
        },
    };
}
