namespace NodeAgent.Testing.Leaks;

/// <summary>
/// How every probe decides that a name belongs to a test. Case-insensitive because iptables
/// chains are conventionally upper case while <c>TestIds.NewPrefix()</c> is lower case.
/// </summary>
public static class PrefixMatch
{
    /// <summary>Shorter prefixes would match unrelated host objects and make the check meaningless.</summary>
    public const int MinimumLength = 4;

    public static bool Matches(string? text, string prefix)
        => text is not null && text.Contains(prefix, StringComparison.OrdinalIgnoreCase);

    public static void Validate(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (prefix.Length < MinimumLength)
        {
            throw new ArgumentException($"A leak-check prefix needs at least {MinimumLength} characters, got '{prefix}'.", nameof(prefix));
        }
    }
}
