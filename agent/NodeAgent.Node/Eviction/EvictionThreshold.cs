using System.Globalization;
using k8s.Models;

namespace NodeAgent.Node.Eviction;

/// <summary>
/// One hard eviction threshold, <c>signal &lt; value</c>: a quantity (<c>100Mi</c>, <c>1000</c> inodes) or a fraction of
/// the signal's capacity (<c>10%</c>). Met when the observed available amount is below it.
/// </summary>
public sealed record EvictionThreshold(string Signal, long? Quantity, double? Percentage)
{
    /// <summary>kubelet's default --eviction-hard on Linux.</summary>
    public const string DefaultHard = "memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%,imagefs.inodesFree<5%";

    /// <summary>The threshold as an amount for a signal with <paramref name="capacity"/> (kubelet's GetThresholdQuantity).</summary>
    public long Amount(long capacity) => Quantity ?? (long)(capacity * Percentage!.Value);

    public override string ToString() => Signal + "<" + (Quantity is { } q ? QuantityFormat.Format(q, EvictionSignal.IsBytes(Signal)) : (Percentage!.Value * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%");

    /// <summary>
    /// Parses kubelet's --eviction-hard syntax, <c>memory.available&lt;100Mi,nodefs.available&lt;10%</c>. As in kubelet,
    /// <c>0%</c> and <c>100%</c> disable a signal, and a value given replaces the whole default set.
    /// </summary>
    /// <exception cref="FormatException">The text is not valid; the message says why, for the caller to prefix with the flag.</exception>
    public static IReadOnlyList<EvictionThreshold> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var thresholds = new List<EvictionThreshold>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var less = part.IndexOf('<', StringComparison.Ordinal);
            if (less <= 0 || less == part.Length - 1)
            {
                throw new FormatException($"malformed pair \"{part}\", expect signal<value (e.g. memory.available<100Mi)");
            }

            var signal = part[..less].Trim();
            if (thresholds.Any(t => t.Signal == signal))
            {
                throw new FormatException($"found duplicate eviction threshold for signal {signal}");
            }

            if (Parse(signal, part[(less + 1)..].Trim()) is { } threshold)
            {
                thresholds.Add(threshold);
            }
        }

        return thresholds;
    }

    /// <summary>One <c>signal&lt;value</c>; null for the 0%/100% that switch a signal off.</summary>
    public static EvictionThreshold? Parse(string signal, string value)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(value);
        if (!EvictionSignal.All.Contains(signal))
        {
            throw new FormatException($"unsupported eviction signal {signal} (supported: {string.Join(", ", EvictionSignal.All)})");
        }

        if (value.EndsWith('%'))
        {
            if (value is "0%" or "100%")
            {
                return null;
            }

            if (!double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
            {
                throw new FormatException($"eviction threshold {signal}: invalid percentage \"{value}\"");
            }

            return percent switch
            {
                < 0 => throw new FormatException($"eviction percentage threshold {signal} must be >= 0%: {value}"),
                > 100 => throw new FormatException($"eviction percentage threshold {signal} must be <= 100%: {value}"),
                _ => new EvictionThreshold(signal, null, percent / 100),
            };
        }

        decimal amount;
        try
        {
            amount = new ResourceQuantity(value).ToDecimal();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new FormatException($"eviction threshold {signal}: invalid quantity \"{value}\"", e);
        }

        return amount <= 0
            ? throw new FormatException($"eviction threshold {signal} must be positive: {value}")
            : new EvictionThreshold(signal, amount >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(amount), null);
    }
}

/// <summary>Quantities printed as Kubernetes' canonical form does (resource.Quantity.String): 100Mi, 1536Ki, 12k, 12345.</summary>
public static class QuantityFormat
{
    private static readonly string[] Binary = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    private static readonly string[] Decimal = ["k", "M", "G", "T", "P", "E"];

    public static string Format(long value, bool binary)
    {
        var suffix = string.Empty;
        var factor = binary ? 1024L : 1000L;
        var names = binary ? Binary : Decimal;
        for (var i = 0; i < names.Length && value != 0 && value % factor == 0; i++)
        {
            value /= factor;
            suffix = names[i];
        }

        return value.ToString(CultureInfo.InvariantCulture) + suffix;
    }
}
