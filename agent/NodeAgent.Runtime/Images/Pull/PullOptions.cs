using NodeAgent.Runtime.Images.Distribution;

namespace NodeAgent.Runtime.Images.Pull;

/// <summary>Per-pull inputs beyond the reference.</summary>
public sealed record PullOptions
{
    public RegistryAuth? Auth { get; init; }

    public OciPlatform Platform { get; init; } = PlatformMatcher.Host;

    public IProgress<PullProgress>? Progress { get; init; }
}
