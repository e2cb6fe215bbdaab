namespace NodeAgent.Testing.Images;

/// <summary>An OCI platform (os/architecture[/variant]), as written into configs and index entries.</summary>
public sealed record ImagePlatform(string Os, string Architecture, string? Variant = null)
{
    public static ImagePlatform LinuxAmd64 { get; } = new("linux", "amd64");

    public static ImagePlatform LinuxArm64 { get; } = new("linux", "arm64", "v8");

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
