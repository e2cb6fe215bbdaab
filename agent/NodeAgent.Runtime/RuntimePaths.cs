namespace NodeAgent.Runtime;

/// <summary>Every on-disk location of the runtime, derived from the data and run dirs (DESIGN.md §6).</summary>
public sealed record RuntimePaths(string DataDir, string RunDir)
{
    public string Images => Path.Combine(DataDir, "images");

    public string Content => Path.Combine(Images, "content");

    public string ImageMetadata => Path.Combine(Images, "metadata");

    public string ImportScratch => Path.Combine(Images, "import");

    public string Snapshots => Path.Combine(DataDir, "snapshots");

    public string Sandboxes => Path.Combine(DataDir, "sandboxes");

    public string Containers => Path.Combine(DataDir, "containers");

    /// <summary>Per-sandbox runtime files that must not outlive a reboot (the /dev/shm tmpfs mount points).</summary>
    public string SandboxRun => Path.Combine(RunDir, "sandboxes");
}
