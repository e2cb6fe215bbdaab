using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using k8s.Models;
using NodeAgent.Api.Registry;
using NodeAgent.Storage;

namespace NodeAgent.Api.Resources.Pods;

/// <summary>
/// Upstream's ServiceAccount admission plugin for new pods: the pod's service account (default "default") must exist,
/// and unless automounting is off (pod first, then account) the pod gets the <c>kube-api-access-XXXXX</c> projected
/// volume — a bound token, the cluster CA from the <c>kube-root-ca.crt</c> ConfigMap and the namespace — mounted
/// read-only at <see cref="MountPath"/> in every container and init container.
/// </summary>
public sealed class ServiceAccountAdmission(IRevisionedStore store)
{
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    public const string VolumePrefix = "kube-api-access-";
    public const string RootCaConfigMap = "kube-root-ca.crt";

    /// <summary>kubelet asks for 3607 s: one hour plus a few seconds, so the API can tell kubelet's tokens from others.</summary>
    public const long TokenExpirationSeconds = 3607;

    private const string MirrorPodAnnotation = "kubernetes.io/config.mirror";
    private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>
    /// The "default" account of a new namespace is created by the ServiceAccount controller a moment after the
    /// namespace: a pod created right behind its namespace waits this long for it instead of failing at once.
    /// </summary>
    private static readonly TimeSpan DefaultAccountWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task AdmitAsync(V1Pod pod, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Metadata?.Annotations?.ContainsKey(MirrorPodAnnotation) == true)
        {
            // Static pods' mirrors are the node's business, upstream skips them here too.
            return;
        }

        var spec = pod.Spec;
        var ns = pod.Metadata!.NamespaceProperty;
        var name = string.IsNullOrEmpty(spec.ServiceAccountName) ? "default" : spec.ServiceAccountName;
        spec.ServiceAccountName = name;
        spec.ServiceAccount = name;
        var account = await FindAsync(ns, name, ct).ConfigureAwait(false)
            ?? throw new AdmissionForbiddenException($"error looking up service account {ns}/{name}: serviceaccount \"{name}\" not found");

        var automount = spec.AutomountServiceAccountToken ?? (account["automountServiceAccountToken"]?.GetValue<bool>() ?? true);
        // A container that already mounts something at the token path keeps it; the others get the volume.
        var needing = (spec.InitContainers ?? []).Concat(spec.Containers ?? [])
            .Where(c => c.VolumeMounts?.Any(m => m.MountPath.TrimEnd('/') == MountPath) != true)
            .ToList();
        if (!automount || needing.Count == 0)
        {
            return;
        }

        var volumeName = UniqueVolumeName(spec);
        spec.Volumes ??= [];
        spec.Volumes.Add(TokenVolume(volumeName));
        foreach (var container in needing)
        {
            container.VolumeMounts ??= [];
            container.VolumeMounts.Add(new V1VolumeMount { Name = volumeName, MountPath = MountPath, ReadOnlyProperty = true });
        }
    }

    /// <summary>The projected volume upstream adds (with the defaults its defaulting would fill: mode 0644, fieldRef v1).</summary>
    public static V1Volume TokenVolume(string name) => new()
    {
        Name = name,
        Projected = new V1ProjectedVolumeSource
        {
            DefaultMode = Convert.ToInt32("644", 8),
            Sources =
            [
                new V1VolumeProjection
                {
                    ServiceAccountToken = new V1ServiceAccountTokenProjection { ExpirationSeconds = TokenExpirationSeconds, Path = "token" },
                },
                new V1VolumeProjection
                {
                    ConfigMap = new V1ConfigMapProjection { Name = RootCaConfigMap, Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] },
                },
                new V1VolumeProjection
                {
                    DownwardAPI = new V1DownwardAPIProjection
                    {
                        Items =
                        [
                            new V1DownwardAPIVolumeFile
                            {
                                Path = "namespace",
                                FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" },
                            },
                        ],
                    },
                },
            ],
        },
    };

    private async Task<JsonObject?> FindAsync(string ns, string name, CancellationToken ct)
    {
        var key = $"/registry/serviceaccounts/{ns}/{name}";
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var kv = await store.GetAsync(key, ct).ConfigureAwait(false);
            if (kv is not null)
            {
                return StoredObjects.Decode(kv);
            }

            // Only the account the controller creates is worth waiting for; a named one is the user's to create.
            if (name != "default" || waited.Elapsed >= DefaultAccountWait)
            {
                return null;
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    private static string UniqueVolumeName(V1PodSpec spec)
    {
        while (true)
        {
            var name = VolumePrefix + RandomNumberGenerator.GetString(SuffixAlphabet, 5);
            if (spec.Volumes?.Any(v => v.Name == name) != true)
            {
                return name;
            }
        }
    }
}
