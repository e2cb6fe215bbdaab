namespace NodeAgent.Runtime.Images.Unpack;

/// <summary>Turns tar entry names into clean paths relative to the layer root, refusing the ones that could escape it.</summary>
internal static class LayerPath
{
    /// <summary>"a/./b/" → "a/b"; "./" → "" (the root). Absolute names, ".." and NUL are refused.</summary>
    public static string Normalize(string name, string entryName, string what = "name")
    {
        if (name.Length == 0)
        {
            throw new InvalidDataException($"layer entry '{entryName}': empty {what}");
        }

        if (name[0] == '/')
        {
            throw Unsafe(entryName, $"absolute {what} '{name}'");
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw Unsafe(entryName, $"{what} contains a NUL byte");
        }

        // Fast path: most names are already clean and need no new string.
        if (IsClean(name.AsSpan().TrimEnd('/')))
        {
            return name.TrimEnd('/');
        }

        var parts = new List<string>();
        foreach (var part in name.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                throw Unsafe(entryName, $"{what} '{name}' has a '..' component");
            }

            if (part != ".")
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    public static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? string.Empty : path[..slash];
    }

    public static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];

    public static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    public static UnsafeLayerException Unsafe(string entryName, string reason) => new($"unsafe layer entry '{entryName}': {reason}");

    private static bool IsClean(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        foreach (var range in name.Split('/'))
        {
            if (name[range] is "" or "." or "..")
            {
                return false;
            }
        }

        return true;
    }
}
