namespace NodeAgent.Controllers.Machinery;

/// <summary>What a reconcile asks of the queue: nothing (done), a rate-limited retry, or a plain retry after a delay.</summary>
public readonly record struct ReconcileResult(bool Requeue = false, TimeSpan? RequeueAfter = null)
{
    public static ReconcileResult Done => default;

    public static ReconcileResult RequeueIn(TimeSpan delay) => new(RequeueAfter: delay);

    public static ReconcileResult RequeueWithBackoff => new(Requeue: true);
}

/// <summary>The reconciler contract of every controller (DESIGN.md §5).</summary>
public interface IReconciler
{
    Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken);
}

/// <summary>An error retrying cannot fix (an invalid spec): logged, the key is forgotten, not requeued.</summary>
public sealed class TerminalReconcileException : Exception
{
    public TerminalReconcileException()
    {
    }

    public TerminalReconcileException(string message)
        : base(message)
    {
    }

    public TerminalReconcileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
