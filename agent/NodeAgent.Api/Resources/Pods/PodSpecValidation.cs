using k8s.Models;
using NodeAgent.Api.Resources.Validation;
using static NodeAgent.Api.Resources.Validation.CommonRules;

namespace NodeAgent.Api.Resources.Pods;

/// <summary>
/// Upstream's ValidatePodSpec (<c>pkg/apis/core/validation</c>) for the rules users meet: one call per
/// pod spec, with the path prefix of where the spec lives (<c>spec</c>, <c>spec.template.spec</c>,
/// <c>spec.jobTemplate.spec.template.spec</c>). Errors come in upstream's order: volumes, containers,
/// init containers, then the pod-level fields.
/// </summary>
public static class PodSpecValidation
{
    private const string FileModeMessage = "must be a number between 0 and 0777 (octal), both inclusive";

    public static IReadOnlyList<FieldError> Validate(V1PodSpec? spec, string path)
    {
        var errors = new List<FieldError>();
        if (spec is null)
        {
            errors.Add(new FieldError(FieldErrorType.Required, path));
            return errors;
        }

        var volumes = Volumes(spec.Volumes, path.Child("volumes"), errors);
        Containers(spec, volumes, path, errors);
        errors.AddRange(RestartPolicy(spec.RestartPolicy, path.Child("restartPolicy")));
        errors.AddRange(OneOf(spec.DnsPolicy, path.Child("dnsPolicy"), "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"));
        if (spec.DnsPolicy == "None" && spec.DnsConfig is null)
        {
            errors.Add(new FieldError(FieldErrorType.Required, path.Child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
        }

        errors.AddRange(Labels(spec.NodeSelector, path.Child("nodeSelector")));
        PodSecurityContext(spec.SecurityContext, path.Child("securityContext"), errors);
        errors.AddRange(OptionalDns1123Subdomain(spec.NodeName, path.Child("nodeName")));
        if (spec.ActiveDeadlineSeconds is { } deadline && deadline is < 1 or > int.MaxValue)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path.Child("activeDeadlineSeconds"), NameRules.InclusiveRange(1, int.MaxValue), deadline));
        }

        if (!string.IsNullOrEmpty(spec.Hostname))
        {
            errors.AddRange(Dns1123Label(spec.Hostname, path.Child("hostname")));
        }

        if (!string.IsNullOrEmpty(spec.Subdomain))
        {
            errors.AddRange(Dns1123Label(spec.Subdomain, path.Child("subdomain")));
        }

        errors.AddRange(Tolerations(spec.Tolerations, path.Child("tolerations")));
        errors.AddRange(OptionalDns1123Subdomain(spec.ServiceAccountName, path.Child("serviceAccountName")));
        errors.AddRange(OptionalDns1123Subdomain(spec.PriorityClassName, path.Child("priorityClassName")));
        return errors;
    }

    /// <summary>validateRestartPolicy: "Always", "OnFailure", "Never".</summary>
    public static IEnumerable<FieldError> RestartPolicy(string? policy, string path) =>
        OneOf(policy, path, "Always", "OnFailure", "Never");

    /// <summary>ValidateTolerations.</summary>
    public static IEnumerable<FieldError> Tolerations(IList<V1Toleration>? tolerations, string path)
    {
        var list = tolerations ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var t = list[i];
            var at = path.Index(i);
            if (!string.IsNullOrEmpty(t.Key))
            {
                foreach (var m in NameRules.QualifiedName(t.Key))
                {
                    yield return new FieldError(FieldErrorType.Invalid, at.Child("key"), m, t.Key);
                }
            }
            else if (t.OperatorProperty != "Exists")
            {
                yield return new FieldError(FieldErrorType.Invalid, at.Child("operator"),
                    "operator must be Exists when `key` is empty, which means \"match all values and all keys\"", t.OperatorProperty ?? "");
            }

            if (t.TolerationSeconds is not null && t.Effect != "NoExecute")
            {
                yield return new FieldError(FieldErrorType.Invalid, at.Child("effect"), "effect must be 'NoExecute' when `tolerationSeconds` is set", t.Effect ?? "");
            }

            switch (t.OperatorProperty)
            {
                case null or "" or "Equal":
                    var messages = NameRules.LabelValue(t.Value ?? "");
                    if (messages.Count > 0)
                    {
                        yield return new FieldError(FieldErrorType.Invalid, at.Child("operator"), string.Join(';', messages), t.Value ?? "");
                    }

                    break;
                case "Exists":
                    if (!string.IsNullOrEmpty(t.Value))
                    {
                        yield return new FieldError(FieldErrorType.Invalid, at.Child("operator"), "value must be empty when `operator` is 'Exists'", t.Value);
                    }

                    break;
                default:
                    yield return NotSupported(at.Child("operator"), t.OperatorProperty, "Equal", "Exists");
                    break;
            }

            if (!string.IsNullOrEmpty(t.Effect) && t.Effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
            {
                yield return NotSupported(at.Child("effect"), t.Effect, "NoSchedule", "PreferNoSchedule", "NoExecute");
            }
        }
    }

    private static HashSet<string> Volumes(IList<V1Volume>? volumes, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var list = volumes ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var volume = list[i];
            var at = path.Index(i);
            VolumeSource(volume, at, errors);
            errors.AddRange(Dns1123Label(volume.Name, at.Child("name")));
            if (!names.Add(volume.Name ?? ""))
            {
                errors.Add(new FieldError(FieldErrorType.Duplicate, at.Child("name"), BadValue: volume.Name));
            }
        }

        return names;
    }

    private static void VolumeSource(V1Volume volume, string path, List<FieldError> errors)
    {
        var sources = PodSpecDefaults.VolumeSources(volume).Where(s => s.Value is not null).Select(s => s.Key).ToList();
        if (sources.Count == 0)
        {
            errors.Add(new FieldError(FieldErrorType.Required, path, "must specify a volume type"));
            return;
        }

        foreach (var extra in sources.Skip(1))
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, path.Child(extra), "may not specify more than 1 volume type"));
        }

        if (volume.HostPath is { } hostPath && string.IsNullOrEmpty(hostPath.Path))
        {
            errors.Add(new FieldError(FieldErrorType.Required, path.Child("hostPath", "path")));
        }

        if (volume.Secret is { } secret)
        {
            if (string.IsNullOrEmpty(secret.SecretName))
            {
                errors.Add(new FieldError(FieldErrorType.Required, path.Child("secret", "secretName")));
            }

            FileMode(secret.DefaultMode, path.Child("secret", "defaultMode"), errors);
        }

        if (volume.ConfigMap is { } configMap)
        {
            if (string.IsNullOrEmpty(configMap.Name))
            {
                errors.Add(new FieldError(FieldErrorType.Required, path.Child("configMap", "name")));
            }

            FileMode(configMap.DefaultMode, path.Child("configMap", "defaultMode"), errors);
        }

        if (volume.PersistentVolumeClaim is { } claim && string.IsNullOrEmpty(claim.ClaimName))
        {
            errors.Add(new FieldError(FieldErrorType.Required, path.Child("persistentVolumeClaim", "claimName")));
        }

        if (volume.Projected is { } projected)
        {
            FileMode(projected.DefaultMode, path.Child("projected", "defaultMode"), errors);
        }

        if (volume.EmptyDir is { Medium: { Length: > 0 } medium } && medium is not ("Memory" or "HugePages") && !medium.StartsWith("HugePages-", StringComparison.Ordinal))
        {
            errors.Add(NotSupported(path.Child("emptyDir", "medium"), medium, "", "HugePages", "Memory"));
        }
    }

    private static void FileMode(int? mode, string path, List<FieldError> errors)
    {
        if (mode is < 0 or > 511)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, FileModeMessage, mode.Value));
        }
    }

    private static void Containers(V1PodSpec spec, HashSet<string> volumes, string path, List<FieldError> errors)
    {
        var containers = spec.Containers ?? [];
        var containersPath = path.Child("containers");
        if (containers.Count == 0)
        {
            errors.Add(new FieldError(FieldErrorType.Required, containersPath));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < containers.Count; i++)
        {
            var at = containersPath.Index(i);
            Container(containers[i], volumes, at, spec, errors, names);
            if (!string.IsNullOrEmpty(containers[i].RestartPolicy))
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, at.Child("restartPolicy"), "may not be set for non-init containers"));
            }
        }

        var initContainers = spec.InitContainers ?? [];
        for (var i = 0; i < initContainers.Count; i++)
        {
            var init = initContainers[i];
            var at = path.Child("initContainers").Index(i);
            Container(init, volumes, at, spec, errors, names);
            var restartable = init.RestartPolicy == "Always";
            if (!string.IsNullOrEmpty(init.RestartPolicy) && !restartable)
            {
                errors.Add(NotSupported(at.Child("restartPolicy"), init.RestartPolicy, "Always"));
            }

            if (!restartable)
            {
                foreach (var (name, probe) in new[] { ("livenessProbe", init.LivenessProbe), ("readinessProbe", init.ReadinessProbe), ("startupProbe", init.StartupProbe) })
                {
                    if (probe is not null)
                    {
                        errors.Add(new FieldError(FieldErrorType.Forbidden, at.Child(name), "may not be set for init containers without restartPolicy=Always"));
                    }
                }
            }
        }

        HostPorts(spec, path, errors);
    }

    private static void Container(V1Container c, HashSet<string> volumes, string path, V1PodSpec spec, List<FieldError> errors, HashSet<string> names)
    {
        var namePath = path.Child("name");
        errors.AddRange(Dns1123Label(c.Name, namePath));
        if (!string.IsNullOrEmpty(c.Name) && !names.Add(c.Name))
        {
            errors.Add(new FieldError(FieldErrorType.Duplicate, namePath, BadValue: c.Name));
        }

        if (string.IsNullOrEmpty(c.Image))
        {
            errors.Add(new FieldError(FieldErrorType.Required, path.Child("image")));
        }
        else if (c.Image.Trim().Length != c.Image.Length)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path.Child("image"), "must not have leading or trailing whitespace", c.Image));
        }

        errors.AddRange(OneOf(c.TerminationMessagePolicy, path.Child("terminationMessagePolicy"), "File", "FallbackToLogsOnError"));
        errors.AddRange(OneOf(c.ImagePullPolicy, path.Child("imagePullPolicy"), "Always", "IfNotPresent", "Never"));
        Ports(c.Ports, path.Child("ports"), spec.HostNetwork == true, errors);
        Env(c.Env, path.Child("env"), errors);
        VolumeMounts(c.VolumeMounts, volumes, path.Child("volumeMounts"), errors);
        Probe(c.LivenessProbe, path.Child("livenessProbe"), mustSucceedOnce: true, errors);
        Probe(c.ReadinessProbe, path.Child("readinessProbe"), mustSucceedOnce: false, errors);
        Probe(c.StartupProbe, path.Child("startupProbe"), mustSucceedOnce: true, errors);
        if (c.ReadinessProbe?.TerminationGracePeriodSeconds is { } readinessGrace)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path.Child("readinessProbe", "terminationGracePeriodSeconds"), "must not be set for readinessProbes", readinessGrace));
        }

        ContainerResources.Validate(c.Resources, path.Child("resources"), errors);
        ContainerSecurityContext(c.SecurityContext, path.Child("securityContext"), errors);
    }

    private static void Ports(IList<V1ContainerPort>? ports, string path, bool hostNetwork, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var list = ports ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var port = list[i];
            var at = path.Index(i);
            if (!string.IsNullOrEmpty(port.Name))
            {
                var messages = NameRules.PortName(port.Name);
                if (messages.Count > 0)
                {
                    errors.AddRange(messages.Select(m => new FieldError(FieldErrorType.Invalid, at.Child("name"), m, port.Name)));
                }
                else if (!names.Add(port.Name))
                {
                    errors.Add(new FieldError(FieldErrorType.Duplicate, at.Child("name"), BadValue: port.Name));
                }
            }

            if (port.ContainerPort == 0)
            {
                errors.Add(new FieldError(FieldErrorType.Required, at.Child("containerPort")));
            }
            else
            {
                errors.AddRange(NameRules.PortNumber(port.ContainerPort).Select(m => new FieldError(FieldErrorType.Invalid, at.Child("containerPort"), m, port.ContainerPort)));
            }

            if (port.HostPort is { } hostPort and not 0)
            {
                errors.AddRange(NameRules.PortNumber(hostPort).Select(m => new FieldError(FieldErrorType.Invalid, at.Child("hostPort"), m, hostPort)));
            }

            errors.AddRange(OneOf(port.Protocol, at.Child("protocol"), "SCTP", "TCP", "UDP"));
            if (hostNetwork && port.HostPort is { } hp and not 0 && hp != port.ContainerPort)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, at.Child("containerPort"), "must match `hostPort` when `hostNetwork` is true", port.ContainerPort));
            }
        }
    }

    /// <summary>Two containers may not claim the same hostIP/protocol/hostPort (checkHostPortConflicts).</summary>
    private static void HostPorts(V1PodSpec spec, string path, List<FieldError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var containers = spec.Containers ?? [];
        for (var ci = 0; ci < containers.Count; ci++)
        {
            var ports = containers[ci].Ports ?? [];
            for (var pi = 0; pi < ports.Count; pi++)
            {
                if (ports[pi].HostPort is not { } hostPort || hostPort == 0)
                {
                    continue;
                }

                var key = $"{ports[pi].HostIP}/{ports[pi].Protocol}/{hostPort}";
                if (!seen.Add(key))
                {
                    errors.Add(new FieldError(FieldErrorType.Duplicate, path.Child("containers").Index(ci).Child("ports").Index(pi).Child("hostPort"), BadValue: key));
                }
            }
        }
    }

    private static void Env(IList<V1EnvVar>? env, string path, List<FieldError> errors)
    {
        var list = env ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var variable = list[i];
            var at = path.Index(i);
            if (string.IsNullOrEmpty(variable.Name))
            {
                errors.Add(new FieldError(FieldErrorType.Required, at.Child("name")));
            }
            else
            {
                errors.AddRange(NameRules.EnvVarName(variable.Name).Select(m => new FieldError(FieldErrorType.Invalid, at.Child("name"), m, variable.Name)));
            }

            if (variable.ValueFrom is not { } from)
            {
                continue;
            }

            var fromPath = at.Child("valueFrom");
            var sources = new object?[] { from.FieldRef, from.ResourceFieldRef, from.ConfigMapKeyRef, from.SecretKeyRef }.Count(s => s is not null);
            if (from.FieldRef is { } fieldRef && string.IsNullOrEmpty(fieldRef.FieldPath))
            {
                errors.Add(new FieldError(FieldErrorType.Required, fromPath.Child("fieldRef", "fieldPath")));
            }

            if (from.ConfigMapKeyRef is { } cm)
            {
                KeyRef(cm.Name, cm.Key, fromPath.Child("configMapKeyRef"), errors);
            }

            if (from.SecretKeyRef is { } secret)
            {
                KeyRef(secret.Name, secret.Key, fromPath.Child("secretKeyRef"), errors);
            }

            if (sources == 0)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, fromPath, "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`", ""));
            }
            else if (!string.IsNullOrEmpty(variable.Value))
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, fromPath, "may not be specified when `value` is not empty", ""));
            }
            else if (sources > 1)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, fromPath, "may not have more than one field specified at a time", ""));
            }
        }
    }

    private static void KeyRef(string? name, string? key, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(key))
        {
            errors.Add(new FieldError(FieldErrorType.Required, path.Child("key")));
        }

        if (string.IsNullOrEmpty(name))
        {
            errors.Add(new FieldError(FieldErrorType.Required, path.Child("name")));
        }
    }

    private static void VolumeMounts(IList<V1VolumeMount>? mounts, HashSet<string> volumes, string path, List<FieldError> errors)
    {
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        var list = mounts ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var mount = list[i];
            var at = path.Index(i);
            if (string.IsNullOrEmpty(mount.Name))
            {
                errors.Add(new FieldError(FieldErrorType.Required, at.Child("name")));
            }

            if (!volumes.Contains(mount.Name ?? ""))
            {
                errors.Add(new FieldError(FieldErrorType.NotFound, at.Child("name"), BadValue: mount.Name ?? ""));
            }

            if (string.IsNullOrEmpty(mount.MountPath))
            {
                errors.Add(new FieldError(FieldErrorType.Required, at.Child("mountPath")));
            }

            if (!mountPaths.Add(mount.MountPath ?? ""))
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, at.Child("mountPath"), "must be unique", mount.MountPath ?? ""));
            }

            if (!string.IsNullOrEmpty(mount.SubPath))
            {
                // Upstream reports subPath errors at volumeMounts.subPath (without the index).
                RelativePath(mount.SubPath, path.Child("subPath"), errors);
            }
        }
    }

    private static void RelativePath(string value, string path, List<FieldError> errors)
    {
        if (value.StartsWith('/'))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, "must be a relative path", value));
        }

        if (value.Split('/').Contains(".."))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, "must not contain '..'", value));
        }
    }

    private static void Probe(V1Probe? probe, string path, bool mustSucceedOnce, List<FieldError> errors)
    {
        if (probe is null)
        {
            return;
        }

        var handlers = 0;
        if (probe.Exec is { } exec)
        {
            handlers++;
            if ((exec.Command?.Count ?? 0) == 0)
            {
                errors.Add(new FieldError(FieldErrorType.Required, path.Child("exec", "command")));
            }
        }

        if (probe.HttpGet is { } httpGet)
        {
            if (handlers++ > 0)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, path.Child("httpGet"), "may not specify more than 1 handler type"));
            }
            else
            {
                if (string.IsNullOrEmpty(httpGet.Path))
                {
                    errors.Add(new FieldError(FieldErrorType.Required, path.Child("httpGet", "path")));
                }

                PortNumOrName(httpGet.Port, path.Child("httpGet", "port"), errors);
                if (httpGet.Scheme is not ("HTTP" or "HTTPS"))
                {
                    errors.Add(NotSupported(path.Child("httpGet", "scheme"), httpGet.Scheme ?? "", "HTTP", "HTTPS"));
                }
            }
        }

        if (probe.TcpSocket is { } tcp)
        {
            if (handlers++ > 0)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, path.Child("tcpSocket"), "may not specify more than 1 handler type"));
            }
            else
            {
                PortNumOrName(tcp.Port, path.Child("tcpSocket", "port"), errors);
            }
        }

        if (probe.Grpc is { } grpc)
        {
            if (handlers++ > 0)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, path.Child("grpc"), "may not specify more than 1 handler type"));
            }
            else
            {
                errors.AddRange(NameRules.PortNumber(grpc.Port).Select(m => new FieldError(FieldErrorType.Invalid, path.Child("grpc", "port"), m, grpc.Port)));
            }
        }

        if (handlers == 0)
        {
            errors.Add(new FieldError(FieldErrorType.Required, path, "must specify a handler type"));
        }

        errors.AddRange(NonNegative(probe.InitialDelaySeconds, path.Child("initialDelaySeconds")));
        errors.AddRange(NonNegative(probe.TimeoutSeconds, path.Child("timeoutSeconds")));
        errors.AddRange(NonNegative(probe.PeriodSeconds, path.Child("periodSeconds")));
        errors.AddRange(NonNegative(probe.SuccessThreshold, path.Child("successThreshold")));
        errors.AddRange(NonNegative(probe.FailureThreshold, path.Child("failureThreshold")));
        if (probe.TerminationGracePeriodSeconds is <= 0)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path.Child("terminationGracePeriodSeconds"), "must be greater than 0", probe.TerminationGracePeriodSeconds.Value));
        }

        if (mustSucceedOnce && probe.SuccessThreshold is { } threshold and not 1)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path.Child("successThreshold"), "must be 1", threshold));
        }
    }

    /// <summary>An IntOrString port: a number in 1–65535 or an IANA service name.</summary>
    private static void PortNumOrName(IntOrString? port, string path, List<FieldError> errors)
    {
        var text = port?.Value ?? "";
        if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            errors.AddRange(NameRules.PortNumber(number).Select(m => new FieldError(FieldErrorType.Invalid, path, m, number)));
        }
        else
        {
            errors.AddRange(NameRules.PortName(text).Select(m => new FieldError(FieldErrorType.Invalid, path, m, text)));
        }
    }

    private static void PodSecurityContext(V1PodSecurityContext? context, string path, List<FieldError> errors)
    {
        if (context is null)
        {
            return;
        }

        Id(context.RunAsUser, path.Child("runAsUser"), errors);
        Id(context.RunAsGroup, path.Child("runAsGroup"), errors);
        Id(context.FsGroup, path.Child("fsGroup"), errors);
        var groups = context.SupplementalGroups ?? [];
        for (var i = 0; i < groups.Count; i++)
        {
            Id(groups[i], path.Child("supplementalGroups").Index(i), errors);
        }
    }

    private static void ContainerSecurityContext(V1SecurityContext? context, string path, List<FieldError> errors)
    {
        if (context is null)
        {
            return;
        }

        Id(context.RunAsUser, path.Child("runAsUser"), errors);
        Id(context.RunAsGroup, path.Child("runAsGroup"), errors);
        if (context.AllowPrivilegeEscalation == false)
        {
            // Upstream prints the whole struct (with pointer addresses) as the bad value; we print its type.
            var value = new GoValue("core.SecurityContext{…}");
            if (context.Privileged == true)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, path, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true", value));
            }

            if (context.Capabilities?.Add?.Contains("CAP_SYS_ADMIN") == true)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, path, "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN", value));
            }
        }
    }

    private static void Id(long? id, string path, List<FieldError> errors)
    {
        if (id is { } value && value is < 0 or > int.MaxValue)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, NameRules.InclusiveRange(0, int.MaxValue), value));
        }
    }
}
