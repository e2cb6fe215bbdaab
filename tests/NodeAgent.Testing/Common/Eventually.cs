namespace NodeAgent.Testing.Common;

/// <summary>Polls a condition until it holds or the token's deadline passes (never a bare sleep).</summary>
public static class Eventually
{
    public static async Task<T> UntilAsync<T>(
        Func<CancellationToken, Task<T?>> probe,
        string what,
        CancellationToken cancellationToken,
        TimeSpan? interval = null)
        where T : class
    {
        var period = interval ?? TimeSpan.FromMilliseconds(50);
        Exception? last = null;
        using var timer = new PeriodicTimer(period);
        while (true)
        {
            try
            {
                var value = await probe(cancellationToken);
                if (value is not null)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e;
            }

            try
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Gave up waiting for {what}.", last);
            }
        }
    }

    public static Task UntilAsync(Func<CancellationToken, Task<bool>> probe, string what, CancellationToken cancellationToken)
        => UntilAsync<object>(async ct => await probe(ct) ? new object() : null, what, cancellationToken);
}
