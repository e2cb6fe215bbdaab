namespace NodeAgent.Testing.Common;

/// <summary>Every integration test gets its own deadline so a hang fails one test, not the run.</summary>
public static class TestDeadline
{
    public static CancellationTokenSource Start(TimeSpan timeout) => new(timeout);

    public static CancellationTokenSource Seconds(int seconds) => new(TimeSpan.FromSeconds(seconds));
}
