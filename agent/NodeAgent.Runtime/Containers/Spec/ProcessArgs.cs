using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Images;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>args, env and cwd of the container's process, by the Kubernetes rules.</summary>
public static class ProcessArgs
{
    /// <summary>What runc puts in PATH when nobody says otherwise (the same default as containerd and Docker).</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// command replaces the image Entrypoint and then the image Cmd is dropped too; args replaces Cmd.
    /// Nothing to run at all is the caller's mistake (Invalid).
    /// </summary>
    public static IReadOnlyList<string> Args(ContainerConfig config, OciRunConfig? image)
    {
        ArgumentNullException.ThrowIfNull(config);
        IReadOnlyList<string> entrypoint;
        IReadOnlyList<string> cmd;
        if (config.Command.Count > 0)
        {
            entrypoint = config.Command;
            cmd = config.Args;
        }
        else
        {
            entrypoint = image?.Entrypoint ?? [];
            cmd = config.Args.Count > 0 ? config.Args : image?.Cmd ?? [];
        }

        var args = entrypoint.Concat(cmd).ToArray();
        if (args.Length == 0)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"container {config.Metadata?.Name}: no command specified (neither the config nor the image has an entrypoint or cmd)");
        }

        return args;
    }

    /// <summary>
    /// PATH default, HOSTNAME, then the image's Env, then the config's envs; a later entry replaces an
    /// earlier one of the same name in place, so the order stays stable for snapshot tests and users.
    /// </summary>
    public static IReadOnlyList<string> Env(ContainerConfig config, OciRunConfig? image, string hostname)
    {
        ArgumentNullException.ThrowIfNull(config);
        var names = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string name, string entry)
        {
            if (name.Length == 0)
            {
                return;
            }

            if (!values.ContainsKey(name))
            {
                names.Add(name);
            }

            values[name] = entry;
        }

        Set("PATH", $"PATH={DefaultPath}");
        if (hostname.Length > 0)
        {
            Set("HOSTNAME", $"HOSTNAME={hostname}");
        }

        foreach (var entry in image?.Env ?? [])
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            Set(equals < 0 ? entry : entry[..equals], equals < 0 ? entry + "=" : entry);
        }

        foreach (var pair in config.Envs)
        {
            Set(pair.Key, $"{pair.Key}={pair.Value}");
        }

        return [.. names.Select(n => values[n])];
    }

    /// <summary>working_dir, else the image's WorkingDir, else "/"; it must be absolute (runc requires it).</summary>
    public static string Cwd(ContainerConfig config, OciRunConfig? image)
    {
        ArgumentNullException.ThrowIfNull(config);
        var cwd = !string.IsNullOrEmpty(config.WorkingDir) ? config.WorkingDir
            : !string.IsNullOrEmpty(image?.WorkingDir) ? image.WorkingDir
            : "/";
        if (!cwd.StartsWith('/'))
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"container {config.Metadata?.Name}: working directory \"{cwd}\" is not absolute");
        }

        return cwd;
    }
}
