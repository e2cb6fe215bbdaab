using System.Text;
using k8s.Models;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Volumes;

/// <summary>
/// Materialises a pod's volumes under <c>&lt;pods root&gt;/&lt;uid&gt;/volumes/&lt;plugin&gt;/&lt;name&gt;</c> (kubelet's plugin
/// directory names) and tears them down. Set-up is idempotent: every sync calls it, so ConfigMap/Secret updates land.
/// </summary>
public sealed class VolumeManager(NodeOptions options, IPodObjectSource objects, IMounter mounter, TimeProvider time)
{
    private static readonly UnixFileMode DefaultFileMode = (UnixFileMode)Convert.ToInt32("644", 8);
    private static readonly UnixFileMode EmptyDirMode = (UnixFileMode)Convert.ToInt32("777", 8);
    private static readonly UnixFileMode OwnerOnlyMode = (UnixFileMode)Convert.ToInt32("600", 8);

    /// <summary>What the API defaults a serviceAccountToken projection's expirationSeconds to.</summary>
    private const long DefaultTokenSeconds = 3600;

    private readonly ServiceAccountTokenCache _tokens = new(objects, time);

    public string PodDirectory(string podUid) => Path.Combine(options.PodsRoot, podUid);

    /// <returns>Volume name → host path to bind into containers.</returns>
    /// <exception cref="VolumeException">A volume cannot be set up; the message names it.</exception>
    public async Task<IReadOnlyDictionary<string, string>> SetUpAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            try
            {
                paths[volume.Name] = await SetUpAsync(pod, volume, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VolumeException or IOException or UnauthorizedAccessException or ArgumentException or ContainerConfigException or System.ComponentModel.Win32Exception)
            {
                throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume.Name}\" : {e.Message}", e);
            }
        }

        return paths;
    }

    /// <summary>Unmounts tmpfs volumes and removes everything under the pod's directory.</summary>
    public void TearDown(string podUid)
    {
        _tokens.Forget(podUid);
        var podDir = PodDirectory(podUid);
        var volumes = Path.Combine(podDir, "volumes");
        if (Directory.Exists(volumes))
        {
            foreach (var dir in Directory.EnumerateDirectories(volumes).SelectMany(Directory.EnumerateDirectories))
            {
                if (mounter.IsMountPoint(dir))
                {
                    mounter.Unmount(dir);
                }
            }
        }

        if (Directory.Exists(podDir))
        {
            // Symlinks are removed, never followed: hostPath targets stay untouched.
            Directory.Delete(podDir, recursive: true);
        }
    }

    private async Task<string> SetUpAsync(V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        if (volume.HostPath is { } hostPath)
        {
            HostPathCheck.Apply(hostPath.Path, hostPath.Type);
            return hostPath.Path;
        }

        var fsGroup = pod.Spec.SecurityContext?.FsGroup;
        if (volume.EmptyDir is { } emptyDir)
        {
            var dir = VolumeDirectory(pod, "kubernetes.io~empty-dir", volume.Name);
            var fresh = !Directory.Exists(dir);
            Directory.CreateDirectory(dir);
            if (emptyDir.Medium == "Memory")
            {
                if (!mounter.IsMountPoint(dir))
                {
                    mounter.MountTmpfs(dir, emptyDir.SizeLimit is { } size ? (long)size.ToDecimal() : null);
                    fresh = true;
                }
            }
            else if (fresh)
            {
                File.SetUnixFileMode(dir, EmptyDirMode);
            }

            if (fresh && fsGroup is { } gid)
            {
                // Once, at set-up (as kubelet): later syncs must not re-own what the containers wrote.
                VolumeOwnership.Apply(dir, gid, readOnly: false);
            }

            return dir;
        }

        var ns = SandboxConfigBuilder.Namespace(pod);
        IReadOnlyCollection<VolumeFile>? files = null;
        string plugin;
        if (volume.ConfigMap is { } cm)
        {
            plugin = "kubernetes.io~configmap";
            files = await ConfigMapFilesAsync(ns, cm.Name, cm.Items, cm.Optional, Mode(cm.DefaultMode), cancellationToken).ConfigureAwait(false);
        }
        else if (volume.Secret is { } secret)
        {
            plugin = "kubernetes.io~secret";
            files = await SecretFilesAsync(ns, secret.SecretName, secret.Items, secret.Optional, Mode(secret.DefaultMode), cancellationToken).ConfigureAwait(false);
        }
        else if (volume.DownwardAPI is { } downward)
        {
            plugin = "kubernetes.io~downward-api";
            files = DownwardFiles(pod, downward.Items, Mode(downward.DefaultMode));
        }
        else if (volume.Projected is { } projected)
        {
            plugin = "kubernetes.io~projected";
            var all = new List<VolumeFile>();
            var defaultMode = Mode(projected.DefaultMode);
            foreach (var source in projected.Sources ?? [])
            {
                if (source.ConfigMap is { } pcm)
                {
                    all.AddRange(await ConfigMapFilesAsync(ns, pcm.Name, pcm.Items, pcm.Optional, defaultMode, cancellationToken).ConfigureAwait(false));
                }
                else if (source.Secret is { } ps)
                {
                    all.AddRange(await SecretFilesAsync(ns, ps.Name, ps.Items, ps.Optional, defaultMode, cancellationToken).ConfigureAwait(false));
                }
                else if (source.DownwardAPI is { } pd)
                {
                    all.AddRange(DownwardFiles(pod, pd.Items, defaultMode));
                }
                else if (source.ServiceAccountToken is { } token)
                {
                    all.Add(await TokenFileAsync(pod, token, defaultMode, cancellationToken).ConfigureAwait(false));
                }
                else
                {
                    throw new VolumeException("unsupported projected volume source (clusterTrustBundle)");
                }
            }

            files = all;
        }
        else
        {
            throw new VolumeException($"unsupported volume type for volume \"{volume.Name}\"");
        }

        var target = VolumeDirectory(pod, plugin, volume.Name);
        AtomicWriter.Write(target, files, time, fsGroup);
        return target;
    }

    /// <summary>A token bound to the pod, written with the projection's other files (so one atomic swap updates all).</summary>
    private async Task<VolumeFile> TokenFileAsync(V1Pod pod, V1ServiceAccountTokenProjection projection, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var account = pod.Spec.ServiceAccountName;
        if (string.IsNullOrEmpty(account))
        {
            throw new VolumeException("cannot get service account token: pod has no service account");
        }

        var request = new ServiceAccountTokenRequest(
            SandboxConfigBuilder.Namespace(pod), account, projection.Audience, projection.ExpirationSeconds ?? DefaultTokenSeconds, pod.Metadata.Name, pod.Metadata.Uid);
        var token = await _tokens.GetAsync(request, cancellationToken).ConfigureAwait(false);
        // kubelet's projected plugin: with a single runAsUser or an fsGroup the token is 0600 (fsGroup then adds group
        // read, 0640) and that one user owns it; otherwise it takes the volume's defaultMode like the other files.
        var fsUser = FsUser(pod);
        var tokenMode = fsUser is not null || pod.Spec.SecurityContext?.FsGroup is not null ? OwnerOnlyMode : mode;
        return new VolumeFile(projection.Path, Encoding.UTF8.GetBytes(token), tokenMode, fsUser);
    }

    /// <summary>
    /// kubelet's FsUserFrom: the runAsUser every (init, app, ephemeral) container runs with — its own or the pod's —
    /// when they all name the same one; null when one names none or two differ.
    /// </summary>
    public static long? FsUser(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var podUser = pod.Spec.SecurityContext?.RunAsUser;
        var users = (pod.Spec.InitContainers ?? []).Select(c => c.SecurityContext?.RunAsUser)
            .Concat((pod.Spec.Containers ?? []).Select(c => c.SecurityContext?.RunAsUser))
            .Concat((pod.Spec.EphemeralContainers ?? []).Select(c => c.SecurityContext?.RunAsUser))
            .Select(user => user ?? podUser)
            .ToList();
        return users.Count > 0 && users.All(u => u is not null) && users.Distinct().Count() == 1 ? users[0] : null;
    }

    private string VolumeDirectory(V1Pod pod, string plugin, string name)
    {
        AtomicWriter.Validate(name);
        return Path.Combine(PodDirectory(pod.Metadata.Uid), "volumes", plugin, name);
    }

    private static UnixFileMode Mode(int? mode) => mode is { } m ? (UnixFileMode)m : DefaultFileMode;

    private async Task<IReadOnlyCollection<VolumeFile>> ConfigMapFilesAsync(string ns, string name, IList<V1KeyToPath>? items, bool? optional, UnixFileMode defaultMode, CancellationToken cancellationToken)
    {
        var cm = await objects.GetConfigMapAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (cm is null)
        {
            return optional == true ? [] : throw new VolumeException($"configmap \"{name}\" not found");
        }

        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (k, v) in cm.Data ?? new Dictionary<string, string>())
        {
            data[k] = Encoding.UTF8.GetBytes(v);
        }

        foreach (var (k, v) in cm.BinaryData ?? new Dictionary<string, byte[]>())
        {
            data[k] = v;
        }

        return Project(data, items, optional, defaultMode, $"configmap {ns}/{name}");
    }

    private async Task<IReadOnlyCollection<VolumeFile>> SecretFilesAsync(string ns, string name, IList<V1KeyToPath>? items, bool? optional, UnixFileMode defaultMode, CancellationToken cancellationToken)
    {
        var secret = await objects.GetSecretAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (secret is null)
        {
            return optional == true ? [] : throw new VolumeException($"secret \"{name}\" not found");
        }

        var data = ContainerConfigBuilder.SecretData(secret).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return Project(data, items, optional, defaultMode, $"secret {ns}/{name}");
    }

    private static List<VolumeFile> Project(Dictionary<string, byte[]> data, IList<V1KeyToPath>? items, bool? optional, UnixFileMode defaultMode, string what)
    {
        if (items is null || items.Count == 0)
        {
            return data.Select(p => new VolumeFile(p.Key, p.Value, defaultMode)).ToList();
        }

        var files = new List<VolumeFile>();
        foreach (var item in items)
        {
            if (!data.TryGetValue(item.Key, out var content))
            {
                if (optional == true)
                {
                    continue;
                }

                throw new VolumeException($"configured to use key {item.Key}, but key is not present in {what}");
            }

            files.Add(new VolumeFile(item.Path, content, item.Mode is { } m ? (UnixFileMode)m : defaultMode));
        }

        return files;
    }

    private List<VolumeFile> DownwardFiles(V1Pod pod, IList<V1DownwardAPIVolumeFile>? items, UnixFileMode defaultMode)
    {
        var files = new List<VolumeFile>();
        foreach (var item in items ?? [])
        {
            var value = item.FieldRef is { } field
                ? DownwardApi.Field(pod, field.FieldPath, pod.Status?.PodIP, options.HostIP)
                : item.ResourceFieldRef is { } resource ? DownwardApi.Resource(pod, null, resource, options) : string.Empty;
            files.Add(new VolumeFile(item.Path, Encoding.UTF8.GetBytes(value), item.Mode is { } m ? (UnixFileMode)m : defaultMode));
        }

        return files;
    }
}
