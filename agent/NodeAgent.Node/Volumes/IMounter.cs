namespace NodeAgent.Node.Volumes;

/// <summary>The seam to the kernel's mount table (tmpfs for memory-backed emptyDirs).</summary>
public interface IMounter
{
    void MountTmpfs(string target, long? sizeBytes);

    void Unmount(string target);

    bool IsMountPoint(string path);
}
