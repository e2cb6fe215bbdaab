namespace NodeAgent.Node.Images;

/// <summary>Image garbage collection (kubelet's defaults: high 85 %, low 80 %, images younger than 2 min kept, every 5 min).</summary>
public sealed record ImageGcOptions
{
    /// <summary>Time between checks of the image filesystem (kubelet's ImageGCPeriod: 5 min).</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Usage (percent of the image filesystem) at or above which unused images are removed.</summary>
    public int HighThresholdPercent { get; init; } = 85;

    /// <summary>Usage the collection frees down to.</summary>
    public int LowThresholdPercent { get; init; } = 80;

    /// <summary>An image first seen less than this long ago is never removed.</summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting, as kubelet refuses such a config at start.</summary>
    public void Validate()
    {
        if (HighThresholdPercent is < 0 or > 100)
        {
            throw new ArgumentException($"invalid image GC high threshold {HighThresholdPercent}: must be a percentage from 0 to 100");
        }

        if (LowThresholdPercent is < 0 or > 100 || LowThresholdPercent > HighThresholdPercent)
        {
            throw new ArgumentException($"invalid image GC low threshold {LowThresholdPercent}: must be a percentage from 0 to the high threshold {HighThresholdPercent}");
        }

        if (MinAge < TimeSpan.Zero || Period <= TimeSpan.Zero)
        {
            throw new ArgumentException("image GC minimum age must not be negative and its period must be positive");
        }
    }
}
