using System.Text;

namespace NodeAgent.Api.Patching.Json;

/// <summary>RFC 6901 JSON pointer: "" is the whole document, "/a/b~1c" is a → "b/c".</summary>
internal static class JsonPointer
{
    public static IReadOnlyList<string> Parse(string pointer, string patchPath)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw PatchException.Invalid($"JSON pointer \"{pointer}\" must start with '/'", patchPath);
        }

        var tokens = pointer[1..].Split('/');
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = Unescape(tokens[i], pointer, patchPath);
        }

        return tokens;
    }

    public static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Unescape(string token, string pointer, string patchPath)
    {
        if (!token.Contains('~', StringComparison.Ordinal))
        {
            return token;
        }

        var sb = new StringBuilder(token.Length);
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] != '~')
            {
                sb.Append(token[i]);
                continue;
            }

            // Only ~0 and ~1 are defined; anything else is a malformed pointer, not a literal '~'.
            var next = i + 1 < token.Length ? token[i + 1] : '\0';
            sb.Append(next switch
            {
                '0' => '~',
                '1' => '/',
                _ => throw PatchException.Invalid($"JSON pointer \"{pointer}\" has an invalid escape", patchPath),
            });
            i++;
        }

        return sb.ToString();
    }
}
