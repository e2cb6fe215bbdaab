using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace NodeAgent.Runtime.Images;

/// <summary>
/// Parsing per the distribution reference grammar (<c>distribution/reference/regexp.go</c>) with
/// Docker's normalisation (<c>ParseDockerRef</c>): a first path component without '.' or ':' that
/// is not <c>localhost</c> (and is lower-case) is a repository component of docker.io; single-
/// component docker.io names get <c>library/</c>; a name with neither tag nor digest gets <c>:latest</c>.
/// </summary>
public sealed partial record ImageReference
{
    public const string DefaultTag = "latest";

    private const string DockerHubLegacy = "index.docker.io";
    private const string OfficialRepositoryPrefix = "library/";
    private const int NameMaxLength = 255;

    /// <summary>Parses and normalises <paramref name="reference"/>; throws <see cref="ImageReferenceFormatException"/> saying why it is invalid.</summary>
    public static ImageReference Parse(string reference)
        => TryParse(reference, out var parsed, out var error) ? parsed : throw new ImageReferenceFormatException(reference, error);

    public static bool TryParse([NotNullWhen(true)] string? reference, [NotNullWhen(true)] out ImageReference? parsed)
        => TryParse(reference, out parsed, out _);

    /// <summary>As <see cref="Parse"/>, reporting the reason instead of throwing.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? reference,
        [NotNullWhen(true)] out ImageReference? parsed,
        [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        error = Validate(reference, out var registry, out var repository, out var tag, out var digest);
        if (error is not null)
        {
            return false;
        }

        parsed = new ImageReference(registry!, repository!, tag ?? (digest is null ? DefaultTag : null), digest);
        return true;
    }

    private static string? Validate(string? reference, out string? registry, out string? repository, out string? tag, out string? digest)
    {
        registry = repository = tag = digest = null;
        if (string.IsNullOrEmpty(reference))
        {
            return "reference is empty";
        }

        var name = reference;
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            if (ValidateDigest(digest) is { } digestError)
            {
                return digestError;
            }
        }

        // A ':' after the last '/' starts the tag; one before it is a registry port.
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                return $"invalid tag \"{tag}\" (expected [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})";
            }
        }

        if (name.Length == 0)
        {
            return "repository name is empty";
        }

        if (IdentifierPattern().IsMatch(name))
        {
            return "a repository name cannot be a 64-character hexadecimal string (that is an image id)";
        }

        (registry, repository) = SplitDockerDomain(name);
        if (!DomainPattern().IsMatch(registry))
        {
            return $"invalid registry host \"{registry}\"";
        }

        if (!PathPattern().IsMatch(repository))
        {
            return PathPattern().IsMatch(repository.ToLowerInvariant())
                ? "repository name must be lowercase"
                : $"invalid repository name \"{repository}\" (path components are [a-z0-9] separated by '.', '_', '__' or '-', joined by '/')";
        }

        if (registry.Length + 1 + repository.Length > NameMaxLength)
        {
            return $"repository name must not be more than {NameMaxLength} characters";
        }

        return null;
    }

    private static (string Registry, string Repository) SplitDockerDomain(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        string registry;
        string repository;
        if (slash < 0 || !LooksLikeRegistry(name[..slash]))
        {
            registry = DockerHub;
            repository = name;
        }
        else
        {
            registry = name[..slash];
            repository = name[(slash + 1)..];
        }

        if (registry == DockerHubLegacy)
        {
            registry = DockerHub;
        }

        if (registry == DockerHub && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = OfficialRepositoryPrefix + repository;
        }

        return (registry, repository);
    }

    private static bool LooksLikeRegistry(string component)
        => component.AsSpan().IndexOfAny('.', ':') >= 0
            || component == "localhost"
            || !string.Equals(component.ToLowerInvariant(), component, StringComparison.Ordinal);

    /// <summary>Null when <paramref name="digest"/> is <c>algorithm:hex</c> of a supported algorithm, else the reason.</summary>
    internal static string? ValidateDigest(string digest)
    {
        if (!DigestPattern().IsMatch(digest))
        {
            return $"invalid digest \"{digest}\" (expected algorithm:hex, e.g. sha256:<64 hex digits>)";
        }

        var separator = digest.IndexOf(':', StringComparison.Ordinal);
        var algorithm = digest[..separator];
        var hex = digest[(separator + 1)..];
        int? length = algorithm switch
        {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => null,
        };
        if (length is null)
        {
            return $"unsupported digest algorithm \"{algorithm}\" (supported: sha256, sha384, sha512)";
        }

        if (hex.Length != length || !IsLowerHex(hex))
        {
            return $"invalid digest \"{digest}\" ({algorithm} needs {length} lower-case hex digits)";
        }

        return null;
    }

    private static bool IsLowerHex(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    // domain-name (IPv4 included) or [IPv6], then an optional port.
    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();
}
