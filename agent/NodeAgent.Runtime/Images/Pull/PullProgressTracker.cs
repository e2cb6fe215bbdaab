namespace NodeAgent.Runtime.Images.Pull;

/// <summary>Thread-safe byte counter behind <see cref="PullProgress"/> reports.</summary>
internal sealed class PullProgressTracker(string reference, long total, IProgress<PullProgress>? sink)
{
    private long _done;

    public void Add(long bytes)
    {
        var done = Interlocked.Add(ref _done, bytes);
        sink?.Report(new PullProgress(reference, Math.Clamp(done, 0, total), total, "fetching"));
    }
}
