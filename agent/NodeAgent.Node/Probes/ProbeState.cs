namespace NodeAgent.Node.Probes;

/// <summary>Consecutive-result thresholds: the reported result flips only after successThreshold successes or failureThreshold failures in a row.</summary>
public sealed class ProbeState(int successThreshold, int failureThreshold, bool initial)
{
    private int _successes;
    private int _failures;

    public bool Result { get; private set; } = initial;

    /// <returns>True when <see cref="Result"/> changed.</returns>
    public bool Observe(bool success)
    {
        if (success)
        {
            _failures = 0;
            _successes++;
            if (!Result && _successes >= Math.Max(1, successThreshold))
            {
                Result = true;
                return true;
            }
        }
        else
        {
            _successes = 0;
            _failures++;
            if (Result && _failures >= Math.Max(1, failureThreshold))
            {
                Result = false;
                return true;
            }
        }

        return false;
    }
}
