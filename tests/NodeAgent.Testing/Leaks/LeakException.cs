using Xunit.Sdk;

namespace NodeAgent.Testing.Leaks;

/// <summary>A test left things on the host; the message lists them by category (an xunit failure, not an error).</summary>
public sealed class LeakException : XunitException
{
    public LeakException(LeakReport report)
        : base(report?.ToString())
    {
        Report = report ?? throw new ArgumentNullException(nameof(report));
    }

    public LeakReport Report { get; }
}
