using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// The infra process of a pod: <c>catatonit -P</c> (pause mode) holding new IPC and UTS namespaces (and
/// PID when the pod shares one), inside the pinned netns. It runs as root with no capabilities, no new
/// privileges and a read-only root, so it can do nothing but wait.
/// </summary>
public static class SandboxSpecBuilder
{
    /// <summary>Where the host's static catatonit appears inside the sandbox.</summary>
    public const string CatatonitDestination = "/.nodeagent/catatonit";

    public static RuntimeSpec Build(SandboxSpecInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(input.SandboxId);
        if (!Path.IsPathFullyQualified(input.RootfsPath) || !Path.IsPathFullyQualified(input.CatatonitPath))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"sandbox {input.SandboxId}: rootfs and catatonit paths must be absolute");
        }

        var options = input.Config.Linux?.SecurityContext?.NamespaceOptions ?? new NamespaceOption();
        var hostNetwork = input.NetworkNamespacePath is null;
        var hostIpc = options.Ipc == NamespaceMode.Node;
        var namespaces = new List<OciNamespace>();

        // With pid CONTAINER the infra still gets its own pid namespace (as the pause container does); NODE keeps the host's.
        if (options.Pid != NamespaceMode.Node)
        {
            namespaces.Add(new OciNamespace(OciNamespaceType.Pid));
        }

        if (!hostNetwork)
        {
            namespaces.Add(new OciNamespace(OciNamespaceType.Network, input.NetworkNamespacePath));
            namespaces.Add(new OciNamespace(OciNamespaceType.Uts));
        }

        if (!hostIpc)
        {
            namespaces.Add(new OciNamespace(OciNamespaceType.Ipc));
        }

        namespaces.Add(new OciNamespace(OciNamespaceType.Mount));
        var none = Array.Empty<string>();
        return new RuntimeSpec
        {
            Process = new OciProcess
            {
                User = new OciUser(0, 0),
                Args = [CatatonitDestination, "-P"],
                Env = [$"PATH={ProcessArgs.DefaultPath}"],
                Cwd = "/",
                Capabilities = new OciCapabilities { Bounding = none, Effective = none, Permitted = none },
                NoNewPrivileges = true,
            },
            Root = new OciRoot(input.RootfsPath, Readonly: true),
            Hostname = hostNetwork || string.IsNullOrEmpty(input.Config.Hostname) ? null : input.Config.Hostname,
            Mounts =
            [
                new("/proc", "proc", "proc", ["nosuid", "noexec", "nodev"]),
                new("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
                new(CatatonitDestination, "bind", input.CatatonitPath, ["rbind", "rprivate", "ro", "nosuid", "nodev"]),
            ],
            Annotations = SpecAnnotations.ForSandbox(input.SandboxId, input.Config),
            Linux = new OciLinux
            {
                Namespaces = namespaces,
                Resources = new OciResources { Devices = DevicesBuilder.DefaultRules },
                CgroupsPath = CgroupPaths.Validate(input.CgroupsPath),
                Sysctl = Sysctls.Validate(input.Config.Linux?.Sysctls, hostNetwork, hostIpc),
                MaskedPaths = MaskedPaths.DefaultMasked,
                ReadonlyPaths = MaskedPaths.DefaultReadonly,
            },
        };
    }
}
