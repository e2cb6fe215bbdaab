using NodeAgent.Testing.Processes;

namespace NodeAgent.Testing.Registry;

/// <summary>Writes an htpasswd file with one bcrypt entry (the only hash distribution accepts).</summary>
internal static class HtpasswdFile
{
    public static async Task WriteAsync(string htpasswdBinary, string path, RegistryCredentials credentials, CancellationToken cancellationToken)
    {
        if (!File.Exists(htpasswdBinary))
        {
            throw new InvalidOperationException($"{htpasswdBinary} is missing: install the Debian package 'apache2-utils'.");
        }

        // -B bcrypt, -b password from the argument list, -n print instead of editing a file.
        var result = await TestProcess.RunAsync(
            htpasswdBinary, ["-Bbn", credentials.Username, credentials.Password], cancellationToken).ConfigureAwait(false);
        result.EnsureSuccess();
        await File.WriteAllTextAsync(path, result.StandardOutput.Trim() + "\n", cancellationToken).ConfigureAwait(false);
    }
}
