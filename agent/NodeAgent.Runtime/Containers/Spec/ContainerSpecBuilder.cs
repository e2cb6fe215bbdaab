using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// CRI ContainerConfig (+ its sandbox and image) → the OCI runtime spec runc starts. Each part has its
/// own small builder; this class only puts them together. docs/oci-spec.md lists every CRI field's fate.
/// </summary>
public static class ContainerSpecBuilder
{
    /// <summary>Async because it reads the image's /etc/passwd and /etc/group and Localhost seccomp files.</summary>
    public static async Task<RuntimeSpec> BuildAsync(ContainerSpecInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(input.ContainerId);
        if (!Path.IsPathFullyQualified(input.RootfsPath))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"container {input.ContainerId}: rootfs path \"{input.RootfsPath}\" is not absolute");
        }

        var config = input.Config;
        var security = config.Linux?.SecurityContext;
        var privileged = security?.Privileged ?? false;
        if (privileged && input.Sandbox.Linux?.SecurityContext?.Privileged != true)
        {
            // kubelet marks the sandbox privileged whenever one of its containers is; anything else is a broken request.
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"container {config.Metadata?.Name}: privileged container in a sandbox that is not privileged");
        }

        var image = input.Image?.Config;
        var hostNetwork = input.Namespaces.NetworkNamespacePath is null;
        var hostname = !string.IsNullOrEmpty(input.Sandbox.Hostname) ? input.Sandbox.Hostname : hostNetwork ? input.Host.HostName : string.Empty;
        var readonlyRootfs = security?.ReadonlyRootfs ?? false;

        var capabilities = Capabilities.Build(security?.Capabilities, privileged, input.Host.BoundingCapabilities);
        var seccomp = await SeccompProfiles.ResolveAsync(security, capabilities.Bounding ?? [], ct).ConfigureAwait(false);
        var user = await UserResolver.ResolveAsync(input.RootfsPath, security, image?.User, ct).ConfigureAwait(false);
        var mounts = MountsBuilder.Build(config, input.Files, privileged, readonlyRootfs);
        var devices = DevicesBuilder.Build(config, privileged, input.Host);
        var (masked, readOnly) = MaskedPaths.Build(security?.MaskedPaths ?? [], security?.ReadonlyPaths ?? [], privileged);
        var namespaces = await NamespacesBuilder.BuildAsync(
            security?.NamespaceOptions ?? input.Sandbox.Linux?.SecurityContext?.NamespaceOptions, input.Namespaces, input.ResolveTargetPid, ct).ConfigureAwait(false);

        return new RuntimeSpec
        {
            Process = new OciProcess
            {
                Terminal = config.Tty,
                User = user,
                Args = ProcessArgs.Args(config, image),
                Env = ProcessArgs.Env(config, image, hostname),
                Cwd = ProcessArgs.Cwd(config, image),
                Capabilities = capabilities,
                Rlimits = Rlimits.Build(input.Host),
                NoNewPrivileges = security?.NoNewPrivs ?? false,
                OomScoreAdj = ResourcesBuilder.OomScoreAdj(config.Linux?.Resources, input.Host),
            },
            Root = new OciRoot(input.RootfsPath, readonlyRootfs),
            Mounts = mounts.Mounts,
            Annotations = SpecAnnotations.ForContainer(input.SandboxId, config, input.Sandbox),
            Linux = new OciLinux
            {
                Namespaces = namespaces,
                Devices = devices.Devices.Count == 0 ? null : devices.Devices,
                Resources = ResourcesBuilder.Build(config.Linux?.Resources, input.Host) with { Devices = devices.Rules },
                CgroupsPath = CgroupPaths.Validate(input.CgroupsPath),
                Seccomp = seccomp,
                MaskedPaths = masked,
                ReadonlyPaths = readOnly,
                RootfsPropagation = mounts.RootfsPropagation,
            },
        };
    }
}
