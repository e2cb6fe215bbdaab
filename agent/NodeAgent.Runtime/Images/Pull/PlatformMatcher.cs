using System.Runtime.InteropServices;

namespace NodeAgent.Runtime.Images.Pull;

/// <summary>Picks the manifest for a platform from an index, the way containerd's default matcher does.</summary>
public static class PlatformMatcher
{
    /// <summary>The platform of this machine in OCI terms (linux/amd64 here).</summary>
    public static OciPlatform Host { get; } = new()
    {
        Os = "linux",
        Architecture = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            Architecture.X86 => "386",
            Architecture.S390x => "s390x",
            Architecture.Ppc64le => "ppc64le",
            Architecture.RiscV64 => "riscv64",
            _ => RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        },
    };

    public static OciDescriptor? Select(OciIndex index, OciPlatform wanted)
        => index.Manifests
            .Where(m => OciMediaTypes.IsManifest(m.MediaType) && m.Platform is not null && Matches(m.Platform, wanted))
            // A specific variant match wins over an entry without variant.
            .OrderByDescending(m => m.Platform!.Variant == wanted.Variant)
            .FirstOrDefault();

    public static bool Matches(OciPlatform candidate, OciPlatform wanted)
        => string.Equals(candidate.Os, wanted.Os, StringComparison.Ordinal)
            && string.Equals(Normalize(candidate.Architecture), Normalize(wanted.Architecture), StringComparison.Ordinal)
            && (wanted.Variant is null || candidate.Variant is null || string.Equals(candidate.Variant, wanted.Variant, StringComparison.Ordinal));

    private static string Normalize(string architecture) => architecture switch
    {
        "x86_64" or "x86-64" => "amd64",
        "aarch64" => "arm64",
        _ => architecture,
    };
}
