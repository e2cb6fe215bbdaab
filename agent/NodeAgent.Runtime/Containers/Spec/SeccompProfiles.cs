using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// seccomp from the CRI: RuntimeDefault → our own allow-list profile (default-seccomp.json, embedded),
/// Unconfined → none, Localhost → the JSON file at localhost_ref. Privileged containers get none.
/// </summary>
public static class SeccompProfiles
{
    private const string ResourceName = "NodeAgent.Runtime.Containers.Spec.default-seccomp.json";

    private static readonly Lazy<SeccompTemplate> Template = new(LoadTemplate);

    /// <summary>The profile for a container, or null for none.</summary>
    public static async Task<OciSeccomp?> ResolveAsync(LinuxContainerSecurityContext? security, IReadOnlyCollection<string> capabilities, CancellationToken cancellationToken)
    {
        if (security is null || security.Privileged)
        {
            return null;
        }

        var (type, localhost) = Selection(security);
        return type switch
        {
            SecurityProfile.Types.ProfileType.RuntimeDefault => RuntimeDefault(capabilities),
            SecurityProfile.Types.ProfileType.Localhost => await LoadLocalhostAsync(localhost, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
    }

    /// <summary>The embedded allow-list for this architecture, with the rules that depend on the container's capabilities resolved.</summary>
    public static OciSeccomp RuntimeDefault(IReadOnlyCollection<string> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        var template = Template.Value;
        var rules = template.Syscalls
            .Where(r => (r.IncludesCapability is null || capabilities.Contains(r.IncludesCapability))
                && (r.ExcludesCapability is null || !capabilities.Contains(r.ExcludesCapability)))
            .Select(r => new OciSyscall { Names = r.Names, Action = r.Action, ErrnoRet = r.ErrnoRet, Args = r.Args })
            .ToArray();
        return new OciSeccomp
        {
            DefaultAction = template.DefaultAction,
            DefaultErrnoRet = template.DefaultErrnoRet,
            Architectures = template.Architectures.GetValueOrDefault(RuntimeInformation.ProcessArchitecture.ToString()),
            Syscalls = rules,
        };
    }

    /// <summary>The field or, when absent, the deprecated seccomp_profile_path ("runtime/default", "unconfined", "localhost/PATH").</summary>
    private static (SecurityProfile.Types.ProfileType Type, string LocalhostRef) Selection(LinuxContainerSecurityContext security)
    {
        if (security.Seccomp is { } profile)
        {
            return (profile.ProfileType, profile.LocalhostRef);
        }

#pragma warning disable CS0612 // the legacy field is still sent by older kubelets
        var legacy = security.SeccompProfilePath;
#pragma warning restore CS0612
        return legacy switch
        {
            "runtime/default" or "docker/default" => (SecurityProfile.Types.ProfileType.RuntimeDefault, string.Empty),
            _ when legacy.StartsWith("localhost/", StringComparison.Ordinal) => (SecurityProfile.Types.ProfileType.Localhost, legacy["localhost/".Length..]),
            _ => (SecurityProfile.Types.ProfileType.Unconfined, string.Empty),
        };
    }

    private static async Task<OciSeccomp> LoadLocalhostAsync(string path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(path) || !Path.IsPathFullyQualified(path))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"seccomp Localhost profile needs an absolute localhost_ref, got \"{path}\"");
        }

        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                var profile = await JsonSerializer.DeserializeAsync(stream, RuntimeSpecJsonContext.Default.OciSeccomp, cancellationToken).ConfigureAwait(false);
                return profile is { DefaultAction.Length: > 0 }
                    ? profile
                    : throw new RuntimeException(RuntimeErrorKind.Invalid, $"seccomp profile {path}: no defaultAction");
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"seccomp Localhost profile {path} does not exist on this node", e);
        }
        catch (JsonException e)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"seccomp profile {path} is not valid JSON: {e.Message}", e);
        }
    }

    private static SeccompTemplate LoadTemplate()
    {
        using var stream = typeof(SeccompProfiles).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        return JsonSerializer.Deserialize(stream, SeccompTemplateJsonContext.Default.SeccompTemplate)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is empty");
    }
}

/// <summary>The embedded profile's format: OCI seccomp plus per-architecture lists and capability conditions.</summary>
internal sealed record SeccompTemplate
{
    public string DefaultAction { get; init; } = "SCMP_ACT_ERRNO";

    public uint? DefaultErrnoRet { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Architectures { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyList<SeccompTemplateRule> Syscalls { get; init; } = [];
}

internal sealed record SeccompTemplateRule
{
    public IReadOnlyList<string> Names { get; init; } = [];

    public string Action { get; init; } = "SCMP_ACT_ALLOW";

    public uint? ErrnoRet { get; init; }

    public IReadOnlyList<OciSyscallArg>? Args { get; init; }

    public string? IncludesCapability { get; init; }

    public string? ExcludesCapability { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SeccompTemplate))]
internal sealed partial class SeccompTemplateJsonContext : JsonSerializerContext;
