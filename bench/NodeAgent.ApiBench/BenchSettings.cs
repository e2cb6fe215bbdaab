namespace NodeAgent.ApiBench;

internal sealed record BenchSettings
{
    public int Pods { get; init; } = 5000;

    public int ApplyObjects { get; init; } = 500;

    public int Watchers { get; init; } = 20;

    /// <summary>Objects created while the watchers listen (the issue asks for 5,000 events).</summary>
    public int WatchEvents => Pods;

    /// <summary>How many pods are read back one by one (all of them).</summary>
    public int Gets => Pods;

    /// <summary>Full lists of the pod namespace (each returns every pod).</summary>
    public int Lists { get; init; } = 20;
}

/// <summary>One backend's figures; a null figure was not reached (see <see cref="Error"/>).</summary>
internal sealed record BackendResult(string Backend)
{
    public double? IdleRssMb { get; set; }

    public double? LoadedRssMb { get; set; }

    public double? PeakRssMb { get; set; }

    public double? ApplySeconds { get; set; }

    /// <summary>CPU time of kubectl during the apply: steadier than wall time on a busy machine.</summary>
    public double? ApplyKubectlCpuSeconds { get; set; }

    /// <summary>CPU time of the server (storage and etcd aside) during the apply.</summary>
    public double? ApplyServerCpuSeconds { get; set; }

    /// <summary>The same apply into another namespace, right after the first.</summary>
    public double? WarmApplySeconds { get; set; }

    public double? WarmApplyKubectlCpuSeconds { get; set; }

    public double? WarmApplyServerCpuSeconds { get; set; }

    public Percentiles? Create { get; set; }

    public Percentiles? Get { get; set; }

    public Percentiles? List { get; set; }

    public int? WatchersComplete { get; set; }

    public double? WatchTimeToLastMs { get; set; }

    public string? Error { get; set; }
}

internal sealed record Percentiles(double P50, double P99, int Count)
{
    public static Percentiles Of(List<double> samples)
    {
        samples.Sort();
        return new Percentiles(At(samples, 0.50), At(samples, 0.99), samples.Count);
    }

    private static double At(List<double> sorted, double quantile)
        => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
}
