namespace NodeAgent.Runtime.Common;

/// <summary>
/// Runs namespace work (unshare, setns, bind-mounting /proc/thread-self/ns/…) on a thread of its own that ends
/// afterwards — never a pool thread, because namespace changes stick to the thread that made them.
/// </summary>
internal static class NamespaceThread
{
    public static Task RunAsync(string name, Action work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task.WaitAsync(cancellationToken);
    }
}
