namespace NodeAgent.Storage;

/// <summary>Prefix ranges in key order, as etcd forms them (range end = prefix with its last byte + 1).</summary>
internal static class KeyRange
{
    /// <summary>The smallest string above every key that starts with <paramref name="prefix"/>, or null for "no end".</summary>
    public static string? PrefixEnd(string prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            // Increasing a char below the surrogate range keeps UTF-8 byte order and UTF-16 order in step.
            if (prefix[i] < '\uD7FF')
            {
                return string.Concat(prefix.AsSpan(0, i), ((char)(prefix[i] + 1)).ToString());
            }
        }

        return null;
    }

    public static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
    }
}
