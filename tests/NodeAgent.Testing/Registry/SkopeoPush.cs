using NodeAgent.Testing.Images;
using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Registry;

/// <summary>Copies a tagged image or index from an OCI layout into a plain-HTTP registry with skopeo.</summary>
internal static class SkopeoPush
{
    public static async Task RunAsync(
        string skopeoBinary,
        string layoutDirectory,
        string layoutReference,
        string destination,
        RegistryCredentials? credentials,
        CancellationToken cancellationToken)
    {
        var isIndex = await IsIndexAsync(layoutDirectory, layoutReference, cancellationToken).ConfigureAwait(false);
        var source = $"oci:{Path.GetFullPath(layoutDirectory)}:{layoutReference}";
        List<string> args =
        [
            // Local test images need no signature policy, whatever the host's policy.json says.
            "--insecure-policy",
            "copy",
            "--dest-tls-verify=false",
            // Fail rather than convert: tests compare registry digests with the layout's.
            "--preserve-digests",
        ];
        if (isIndex)
        {
            args.Add("--all");
        }

        // Never fall back to the host's auth.json: push exactly as the test asks.
        args.AddRange(credentials is null ? ["--dest-no-creds"] : ["--dest-creds", credentials.ToUserColonPassword()]);
        args.AddRange([source, "docker://" + destination]);

        var result = await TestProcess.RunAsync(skopeoBinary, args, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new RegistryPushException(
                $"skopeo could not push {source} to {destination} as {credentials?.ToString() ?? "anonymous"} (exit {result.ExitCode}): {result.StandardError.Trim()}",
                result.ExitCode,
                result.StandardError);
        }
    }

    private static async Task<bool> IsIndexAsync(string layoutDirectory, string layoutReference, CancellationToken cancellationToken)
    {
        var index = await new OciLayoutWriter(layoutDirectory).ReadIndexAsync(cancellationToken).ConfigureAwait(false);
        var entry = index.Manifests.FirstOrDefault(m => m.RefName == layoutReference)
            ?? throw new ArgumentException(
                $"The OCI layout {layoutDirectory} has no image tagged '{layoutReference}' (tags: {string.Join(", ", index.Manifests.Select(m => m.RefName))}).",
                nameof(layoutReference));
        return entry.MediaType == OciMediaTypes.ImageIndex;
    }
}
