using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;
using NodeAgent.Cri.V1;

namespace NodeAgent.Node.Pods;

/// <summary>What one container start needs besides the spec: the attempt, the pod's address and where its volumes are.</summary>
public sealed record ContainerBuildContext(V1Pod Pod, V1Container Container, int RestartCount)
{
    public string? PodIP { get; init; }

    /// <summary>Volume name → host path, from <see cref="Volumes.VolumeManager"/>.</summary>
    public IReadOnlyDictionary<string, string> VolumePaths { get; init; } = new Dictionary<string, string>();

    /// <summary>The image's configured uid, when known, for runAsNonRoot checks.</summary>
    public long? ImageUid { get; init; }

    /// <summary>The image's configured user name, when not numeric.</summary>
    public string? ImageUser { get; init; }
}

/// <summary>Turns a <see cref="V1Container"/> into the CRI <see cref="ContainerConfig"/> kubelet would send.</summary>
public sealed partial class ContainerConfigBuilder(NodeOptions options, IPodObjectSource objects)
{
    private const long CpuPeriod = 100_000;
    private const long MinShares = 2;
    private const long MinQuota = 1000;

    public async Task<ContainerConfig> BuildAsync(ContainerBuildContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (pod, container) = (context.Pod, context.Container);
        var env = await EnvironmentAsync(context, cancellationToken).ConfigureAwait(false);
        var lookup = env.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        string? Lookup(string name) => lookup.TryGetValue(name, out var v) ? v : null;

        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = container.Name, Attempt = (uint)context.RestartCount },
            Image = new ImageSpec { Image = container.Image },
            WorkingDir = container.WorkingDir ?? string.Empty,
            LogPath = $"{container.Name}/{context.RestartCount}.log",
            Stdin = container.Stdin == true,
            StdinOnce = container.StdinOnce == true,
            Tty = container.Tty == true,
            Linux = new LinuxContainerConfig
            {
                Resources = Resources(pod, container),
                SecurityContext = Security(context),
            },
        };
        config.Command.Add((container.Command ?? []).Select(c => Expansion.Expand(c, Lookup)));
        config.Args.Add((container.Args ?? []).Select(a => Expansion.Expand(a, Lookup)));
        foreach (var (key, value) in lookup)
        {
            config.Envs.Add(new KeyValue { Key = key, Value = value });
        }

        config.Mounts.Add(Mounts(context, Lookup));
        config.Labels[PodLabels.ContainerName] = container.Name;
        config.Labels[PodLabels.PodName] = pod.Metadata.Name;
        config.Labels[PodLabels.PodNamespace] = SandboxConfigBuilder.Namespace(pod);
        config.Labels[PodLabels.PodUid] = pod.Metadata.Uid;
        config.Annotations[PodLabels.RestartCount] = context.RestartCount.ToString(CultureInfo.InvariantCulture);
        config.Annotations[PodLabels.TerminationMessagePath] = container.TerminationMessagePath ?? "/dev/termination-log";
        config.Annotations[PodLabels.TerminationGracePeriod] = (pod.Spec.TerminationGracePeriodSeconds ?? 30).ToString(CultureInfo.InvariantCulture);
        return config;
    }

    /// <summary>
    /// envFrom first, then env in order, each value expanded against what came before it — kubelet's makeEnvironmentVariables.
    /// </summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> EnvironmentAsync(ContainerBuildContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (pod, container) = (context.Pod, context.Container);
        var ns = SandboxConfigBuilder.Namespace(pod);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        void Set(string key, string value)
        {
            if (!result.ContainsKey(key))
            {
                order.Add(key);
            }

            result[key] = value;
        }

        foreach (var source in container.EnvFrom ?? [])
        {
            var prefix = source.Prefix ?? string.Empty;
            if (source.ConfigMapRef is { } cmRef)
            {
                var cm = await objects.GetConfigMapAsync(ns, cmRef.Name, cancellationToken).ConfigureAwait(false);
                if (cm is null)
                {
                    if (cmRef.Optional == true)
                    {
                        continue;
                    }

                    throw new ContainerConfigException($"configmap \"{cmRef.Name}\" not found");
                }

                foreach (var (k, v) in cm.Data ?? new Dictionary<string, string>())
                {
                    // Invalid names are skipped (kubelet emits an event for them), not fatal.
                    if (EnvNameRegex().IsMatch(prefix + k))
                    {
                        Set(prefix + k, v);
                    }
                }
            }

            if (source.SecretRef is { } secretRef)
            {
                var secret = await objects.GetSecretAsync(ns, secretRef.Name, cancellationToken).ConfigureAwait(false);
                if (secret is null)
                {
                    if (secretRef.Optional == true)
                    {
                        continue;
                    }

                    throw new ContainerConfigException($"secret \"{secretRef.Name}\" not found");
                }

                foreach (var (k, v) in SecretData(secret))
                {
                    if (EnvNameRegex().IsMatch(prefix + k))
                    {
                        Set(prefix + k, Encoding.UTF8.GetString(v));
                    }
                }
            }
        }

        foreach (var env in container.Env ?? [])
        {
            string? value;
            if (env.ValueFrom is null)
            {
                value = Expansion.Expand(env.Value ?? string.Empty, name => result.TryGetValue(name, out var v) ? v : null);
            }
            else
            {
                value = await ValueFromAsync(context, ns, env.ValueFrom, cancellationToken).ConfigureAwait(false);
                if (value is null)
                {
                    continue;
                }
            }

            Set(env.Name, value);
        }

        return order.Select(k => new KeyValuePair<string, string>(k, result[k])).ToList();
    }

    internal static IEnumerable<KeyValuePair<string, byte[]>> SecretData(V1Secret secret)
    {
        var data = new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>());
        foreach (var (k, v) in secret.StringData ?? new Dictionary<string, string>())
        {
            data[k] = Encoding.UTF8.GetBytes(v);
        }

        return data;
    }

    private async Task<string?> ValueFromAsync(ContainerBuildContext context, string ns, V1EnvVarSource from, CancellationToken cancellationToken)
    {
        if (from.ConfigMapKeyRef is { } cmKey)
        {
            var cm = await objects.GetConfigMapAsync(ns, cmKey.Name, cancellationToken).ConfigureAwait(false);
            if (cm is null)
            {
                return cmKey.Optional == true ? null : throw new ContainerConfigException($"configmap \"{cmKey.Name}\" not found");
            }

            if (cm.Data?.TryGetValue(cmKey.Key, out var v) == true)
            {
                return v;
            }

            return cmKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {cmKey.Key} in ConfigMap {ns}/{cmKey.Name}");
        }

        if (from.SecretKeyRef is { } secretKey)
        {
            var secret = await objects.GetSecretAsync(ns, secretKey.Name, cancellationToken).ConfigureAwait(false);
            if (secret is null)
            {
                return secretKey.Optional == true ? null : throw new ContainerConfigException($"secret \"{secretKey.Name}\" not found");
            }

            var data = SecretData(secret).ToDictionary(p => p.Key, p => p.Value);
            if (data.TryGetValue(secretKey.Key, out var bytes))
            {
                return Encoding.UTF8.GetString(bytes);
            }

            return secretKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
        }

        if (from.FieldRef is { } field)
        {
            return DownwardApi.Field(context.Pod, field.FieldPath, context.PodIP, options.HostIP);
        }

        if (from.ResourceFieldRef is { } resource)
        {
            return DownwardApi.Resource(context.Pod, context.Container.Name, resource, options);
        }

        return string.Empty;
    }

    private static IEnumerable<Mount> Mounts(ContainerBuildContext context, Func<string, string?> lookup)
    {
        foreach (var vm in context.Container.VolumeMounts ?? [])
        {
            if (!context.VolumePaths.TryGetValue(vm.Name, out var hostPath))
            {
                throw new ContainerConfigException($"cannot find volume \"{vm.Name}\" to mount into container \"{context.Container.Name}\"");
            }

            var subPath = vm.SubPath;
            if (!string.IsNullOrEmpty(vm.SubPathExpr))
            {
                subPath = Expansion.Expand(vm.SubPathExpr, lookup);
            }

            if (!string.IsNullOrEmpty(subPath))
            {
                if (Path.IsPathRooted(subPath) || subPath.Split('/').Contains(".."))
                {
                    throw new ContainerConfigException($"subPath \"{subPath}\" must be a relative path without '..'");
                }

                hostPath = Path.Combine(hostPath, subPath);
                // kubelet creates a missing subPath as a directory, so two containers can share parts of one volume.
                if (!Path.Exists(hostPath))
                {
                    Directory.CreateDirectory(hostPath);
                }
            }

            yield return new Mount
            {
                ContainerPath = vm.MountPath,
                HostPath = hostPath,
                Readonly = vm.ReadOnlyProperty == true,
                Propagation = vm.MountPropagation switch
                {
                    "HostToContainer" => MountPropagation.PropagationHostToContainer,
                    "Bidirectional" => MountPropagation.PropagationBidirectional,
                    _ => MountPropagation.PropagationPrivate,
                },
            };
        }
    }

    private LinuxContainerResources Resources(V1Pod pod, V1Container container)
    {
        var limits = container.Resources?.Limits;
        var requests = container.Resources?.Requests;
        var cpuLimit = QosClass.Quantity(limits, "cpu")?.ToDecimal();
        var cpuRequest = QosClass.Quantity(requests, "cpu")?.ToDecimal() ?? cpuLimit;
        var memLimit = QosClass.Quantity(limits, "memory")?.ToDecimal();
        var memRequest = QosClass.Quantity(requests, "memory")?.ToDecimal() ?? memLimit;

        var resources = new LinuxContainerResources
        {
            CpuShares = Math.Max(MinShares, (long)((cpuRequest ?? 0m) * 1000m) * 1024 / 1000),
            OomScoreAdj = OomScoreAdj(pod, memRequest),
        };
        if (cpuLimit is { } cl)
        {
            resources.CpuPeriod = CpuPeriod;
            resources.CpuQuota = Math.Max(MinQuota, (long)(cl * 1000m) * CpuPeriod / 1000);
        }

        if (memLimit is { } ml)
        {
            resources.MemoryLimitInBytes = (long)ml;
        }

        return resources;
    }

    /// <summary>kubelet's qos policy (pkg/kubelet/qos/policy.go), floored at what this machine permits.</summary>
    private long OomScoreAdj(V1Pod pod, decimal? memoryRequest)
    {
        long score = QosClass.Of(pod) switch
        {
            QosClass.Guaranteed => -997,
            QosClass.BestEffort => 1000,
            _ => Math.Clamp(1000 - (long)(1000m * (memoryRequest ?? 0m) / Math.Max(1, options.MemoryCapacityBytes)), 2, 999),
        };
        return Math.Max(score, options.MinOomScoreAdj);
    }

    private LinuxContainerSecurityContext Security(ContainerBuildContext context)
    {
        var (pod, container) = (context.Pod, context.Container);
        var podSc = pod.Spec.SecurityContext;
        var sc = container.SecurityContext;
        var security = new LinuxContainerSecurityContext
        {
            Privileged = sc?.Privileged == true,
            ReadonlyRootfs = sc?.ReadOnlyRootFilesystem == true,
            // Privileged containers may always escalate; otherwise allowPrivilegeEscalation=false is no_new_privs.
            NoNewPrivs = sc?.Privileged != true && sc?.AllowPrivilegeEscalation == false,
            Seccomp = new SandboxConfigBuilder(options).Seccomp(sc?.SeccompProfile ?? podSc?.SeccompProfile),
            NamespaceOptions = new NamespaceOption
            {
                Network = pod.Spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
                Pid = pod.Spec.HostPID == true ? NamespaceMode.Node : pod.Spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
                Ipc = pod.Spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
            },
        };
        if (sc?.Capabilities is { } caps)
        {
            security.Capabilities = new Capability();
            security.Capabilities.AddCapabilities.Add(caps.Add ?? []);
            security.Capabilities.DropCapabilities.Add(caps.Drop ?? []);
        }

        var user = sc?.RunAsUser ?? podSc?.RunAsUser;
        var group = sc?.RunAsGroup ?? podSc?.RunAsGroup;
        if (user is { } u)
        {
            security.RunAsUser = new Int64Value { Value = u };
        }

        if (group is { } g)
        {
            security.RunAsGroup = new Int64Value { Value = g };
        }

        security.SupplementalGroups.Add(SandboxConfigBuilder.SupplementalGroups(podSc));
        if ((sc?.RunAsNonRoot ?? podSc?.RunAsNonRoot) == true)
        {
            VerifyNonRoot(context, user);
        }

        return security;
    }

    /// <summary>kubelet's verifyRunAsNonRoot, with its messages.</summary>
    private static void VerifyNonRoot(ContainerBuildContext context, long? user)
    {
        var where = $"(pod: \"{context.Pod.Metadata.Name}_{SandboxConfigBuilder.Namespace(context.Pod)}({context.Pod.Metadata.Uid})\", container: {context.Container.Name})";
        if (user is { } u)
        {
            if (u == 0)
            {
                throw new ContainerConfigException($"container's runAsUser breaks non-root policy {where}");
            }

            return;
        }

        if (context.ImageUid is { } imageUid)
        {
            if (imageUid == 0)
            {
                throw new ContainerConfigException($"container has runAsNonRoot and image will run as root {where}");
            }

            return;
        }

        if (!string.IsNullOrEmpty(context.ImageUser))
        {
            throw new ContainerConfigException($"container has runAsNonRoot and image has non-numeric user ({context.ImageUser}), cannot verify user is non-root {where}");
        }

        throw new ContainerConfigException($"container has runAsNonRoot and image will run as root {where}");
    }

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvNameRegex();
}
