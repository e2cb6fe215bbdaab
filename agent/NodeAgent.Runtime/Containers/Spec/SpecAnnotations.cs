using NodeAgent.Cri.V1;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>containerd's io.kubernetes.cri.* annotations, so tooling that reads bundles (and hooks) finds what it expects.</summary>
public static class SpecAnnotations
{
    public const string ContainerType = "io.kubernetes.cri.container-type";
    public const string ContainerTypeSandbox = "sandbox";
    public const string ContainerTypeContainer = "container";
    public const string SandboxId = "io.kubernetes.cri.sandbox-id";
    public const string SandboxName = "io.kubernetes.cri.sandbox-name";
    public const string SandboxNamespace = "io.kubernetes.cri.sandbox-namespace";
    public const string SandboxUid = "io.kubernetes.cri.sandbox-uid";
    public const string SandboxLogDirectory = "io.kubernetes.cri.sandbox-log-directory";
    public const string ContainerName = "io.kubernetes.cri.container-name";
    public const string ImageName = "io.kubernetes.cri.image-name";

    public static IReadOnlyDictionary<string, string> ForSandbox(string sandboxId, PodSandboxConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var annotations = Pod(config);
        annotations[ContainerType] = ContainerTypeSandbox;
        annotations[SandboxId] = sandboxId;
        Set(annotations, SandboxLogDirectory, config.LogDirectory);
        return annotations;
    }

    public static IReadOnlyDictionary<string, string> ForContainer(string? sandboxId, ContainerConfig config, PodSandboxConfig sandbox)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sandbox);
        var annotations = Pod(sandbox);
        annotations[ContainerType] = ContainerTypeContainer;
        Set(annotations, SandboxId, sandboxId);
        Set(annotations, ContainerName, config.Metadata?.Name);
        Set(annotations, ImageName, string.IsNullOrEmpty(config.Image?.UserSpecifiedImage) ? config.Image?.Image : config.Image.UserSpecifiedImage);
        return annotations;
    }

    private static SortedDictionary<string, string> Pod(PodSandboxConfig config)
    {
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Set(annotations, SandboxName, config.Metadata?.Name);
        Set(annotations, SandboxNamespace, config.Metadata?.Namespace);
        Set(annotations, SandboxUid, config.Metadata?.Uid);
        return annotations;
    }

    private static void Set(SortedDictionary<string, string> annotations, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            annotations[key] = value;
        }
    }
}
