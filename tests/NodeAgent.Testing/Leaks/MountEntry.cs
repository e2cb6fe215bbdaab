namespace NodeAgent.Testing.Leaks;

/// <summary>One line of /proc/self/mountinfo (see proc(5)); paths are already unescaped.</summary>
public sealed record MountEntry(
    int MountId,
    int ParentId,
    string Device,
    string Root,
    string MountPoint,
    string FileSystemType,
    string Source)
{
    public override string ToString() => $"{MountPoint} ({FileSystemType} from {Source})";
}
