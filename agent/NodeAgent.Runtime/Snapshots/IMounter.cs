namespace NodeAgent.Runtime.Snapshots;

/// <summary>The seam to mount(2)/umount2(2): snapshotters return <see cref="MountSpec"/>s, the runtime mounts them through this.</summary>
public interface IMounter
{
    Task MountAsync(MountSpec mount, string target, CancellationToken cancellationToken);

    /// <summary>Unmounts <paramref name="target"/>; a path that is not (or no longer) a mount point is not an error.</summary>
    Task UnmountAsync(string target, CancellationToken cancellationToken);
}
