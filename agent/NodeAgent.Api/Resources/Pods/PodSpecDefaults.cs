using k8s.Models;

namespace NodeAgent.Api.Resources.Pods;

/// <summary>
/// Upstream core/v1 defaulting (<c>pkg/apis/core/v1/defaults.go</c>) of a pod spec, shared by pods and
/// every pod template, plus the pod-only parts: <see cref="ApplyToPod"/> adds what SetDefaults_Pod and
/// the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins add to a pod.
/// </summary>
public static class PodSpecDefaults
{
    public const int DefaultFileMode = 420; // 0644
    public const long DefaultTolerationSeconds = 300;
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";

    /// <summary>Defaults of any pod spec (SetDefaults_PodSpec and the nested types' defaults).</summary>
    public static void ApplyToSpec(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.DnsPolicy ??= "ClusterFirst";
        spec.RestartPolicy ??= "Always";
        spec.SecurityContext ??= new V1PodSecurityContext();
        spec.TerminationGracePeriodSeconds ??= 30;
        spec.SchedulerName ??= "default-scheduler";

        // The v1 conversion keeps the deprecated serviceAccount field in step with serviceAccountName.
        if (string.IsNullOrEmpty(spec.ServiceAccountName) && !string.IsNullOrEmpty(spec.ServiceAccount))
        {
            spec.ServiceAccountName = spec.ServiceAccount;
        }

        if (!string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            spec.ServiceAccount = spec.ServiceAccountName;
        }

        foreach (var container in AllContainers(spec))
        {
            ApplyToContainer(container);
        }

        foreach (var container in spec.EphemeralContainers ?? [])
        {
            container.TerminationMessagePath ??= "/dev/termination-log";
            container.TerminationMessagePolicy ??= "File";
            container.ImagePullPolicy ??= PullPolicyFor(container.Image);
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            ApplyToVolume(volume);
        }
    }

    /// <summary>Pod-only defaults (SetDefaults_Pod): the spec defaults plus requests from limits, enableServiceLinks, host-network ports.</summary>
    public static void ApplyToPod(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        pod.Spec ??= new V1PodSpec();
        var spec = pod.Spec;
        ApplyToSpec(spec);

        // SetDefaults_Pod: requests default to limits, per resource.
        foreach (var container in AllContainers(spec))
        {
            DefaultRequestsFromLimits(container);
        }

        spec.EnableServiceLinks ??= true;
        if (spec.HostNetwork == true)
        {
            DefaultHostNetworkPorts(spec.Containers);
            DefaultHostNetworkPorts(spec.InitContainers);
        }

    }

    /// <summary>
    /// What the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins add to a new pod:
    /// serviceAccountName "default", priority 0 with PreemptLowerPriority, and the 300 s NoExecute
    /// tolerations for not-ready and unreachable nodes. Create only, as admission.
    /// </summary>
    public static void ApplyAdmission(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        pod.Spec ??= new V1PodSpec();
        var spec = pod.Spec;
        if (string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            spec.ServiceAccountName = "default";
            spec.ServiceAccount = "default";
        }

        // Without PriorityClasses every pod gets priority 0 and the default preemption policy.
        if (string.IsNullOrEmpty(spec.PriorityClassName))
        {
            spec.Priority ??= 0;
        }

        spec.PreemptionPolicy ??= "PreemptLowerPriority";
        AddDefaultTolerations(spec);
    }

    /// <summary>"Always" for <c>:latest</c> or an untagged image without digest, else "IfNotPresent" (as SetDefaults_Container).</summary>
    public static string PullPolicyFor(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return "IfNotPresent";
        }

        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        // The tag follows the last ':' after the last '/' (a ':' before it belongs to the registry port).
        var lastSlash = image.LastIndexOf('/');
        var colon = image.IndexOf(':', lastSlash + 1);
        var tag = colon < 0 ? "latest" : image[(colon + 1)..];
        return tag == "latest" ? "Always" : "IfNotPresent";
    }

    internal static IEnumerable<V1Container> AllContainers(V1PodSpec spec) =>
        (spec.InitContainers ?? []).Concat(spec.Containers ?? []);

    private static void ApplyToContainer(V1Container container)
    {
        container.ImagePullPolicy ??= PullPolicyFor(container.Image);
        container.TerminationMessagePath ??= "/dev/termination-log";
        container.TerminationMessagePolicy ??= "File";

        // Go always serialises the (non-pointer) resources struct, so clients see "resources: {}".
        container.Resources ??= new V1ResourceRequirements();
        foreach (var port in container.Ports ?? [])
        {
            port.Protocol ??= "TCP";
        }

        foreach (var env in container.Env ?? [])
        {
            if (env.ValueFrom?.FieldRef is { } fieldRef)
            {
                fieldRef.ApiVersion ??= "v1";
            }
        }

        ApplyToProbe(container.LivenessProbe);
        ApplyToProbe(container.ReadinessProbe);
        ApplyToProbe(container.StartupProbe);
        ApplyToHttpGet(container.Lifecycle?.PostStart?.HttpGet);
        ApplyToHttpGet(container.Lifecycle?.PreStop?.HttpGet);
    }

    private static void ApplyToProbe(V1Probe? probe)
    {
        if (probe is null)
        {
            return;
        }

        probe.TimeoutSeconds ??= 1;
        probe.PeriodSeconds ??= 10;
        probe.SuccessThreshold ??= 1;
        probe.FailureThreshold ??= 3;
        ApplyToHttpGet(probe.HttpGet);
    }

    private static void ApplyToHttpGet(V1HTTPGetAction? action)
    {
        if (action is null)
        {
            return;
        }

        action.Path ??= "/";
        action.Scheme ??= "HTTP";
    }

    private static void ApplyToVolume(V1Volume volume)
    {
        if (!HasSource(volume))
        {
            volume.EmptyDir = new V1EmptyDirVolumeSource();
        }

        if (volume.ConfigMap is { } configMap)
        {
            configMap.DefaultMode ??= DefaultFileMode;
        }

        if (volume.Secret is { } secret)
        {
            secret.DefaultMode ??= DefaultFileMode;
        }

        if (volume.Projected is { } projected)
        {
            projected.DefaultMode ??= DefaultFileMode;
        }

        if (volume.DownwardAPI is { } downward)
        {
            downward.DefaultMode ??= DefaultFileMode;
            foreach (var item in downward.Items ?? [])
            {
                if (item.FieldRef is { } fieldRef)
                {
                    fieldRef.ApiVersion ??= "v1";
                }
            }
        }

        if (volume.HostPath is { } hostPath)
        {
            hostPath.Type ??= "";
        }
    }

    /// <summary>Whether any volume source is set (SetDefaults_Volume makes a sourceless volume an emptyDir).</summary>
    internal static bool HasSource(V1Volume volume) => VolumeSources(volume).Any(s => s.Value is not null);

    /// <summary>Every volume source of a volume with its JSON name, for defaulting and the "one source" rule.</summary>
    internal static IEnumerable<KeyValuePair<string, object?>> VolumeSources(V1Volume v) =>
    [
        new("hostPath", v.HostPath), new("emptyDir", v.EmptyDir), new("gcePersistentDisk", v.GcePersistentDisk),
        new("awsElasticBlockStore", v.AwsElasticBlockStore), new("gitRepo", v.GitRepo), new("secret", v.Secret),
        new("nfs", v.Nfs), new("iscsi", v.Iscsi), new("glusterfs", v.Glusterfs),
        new("persistentVolumeClaim", v.PersistentVolumeClaim), new("rbd", v.Rbd), new("flexVolume", v.FlexVolume),
        new("cinder", v.Cinder), new("cephfs", v.Cephfs), new("flocker", v.Flocker), new("downwardAPI", v.DownwardAPI),
        new("fc", v.Fc), new("azureFile", v.AzureFile), new("configMap", v.ConfigMap), new("vsphereVolume", v.VsphereVolume),
        new("quobyte", v.Quobyte), new("azureDisk", v.AzureDisk), new("photonPersistentDisk", v.PhotonPersistentDisk),
        new("projected", v.Projected), new("portworxVolume", v.PortworxVolume), new("scaleIO", v.ScaleIO),
        new("storageos", v.Storageos), new("csi", v.Csi), new("ephemeral", v.Ephemeral), new("image", v.Image),
    ];

    private static void DefaultRequestsFromLimits(V1Container container)
    {
        var limits = container.Resources?.Limits;
        if (limits is null || limits.Count == 0)
        {
            return;
        }

        container.Resources!.Requests ??= new Dictionary<string, ResourceQuantity>();
        foreach (var (name, quantity) in limits)
        {
            container.Resources.Requests.TryAdd(name, new ResourceQuantity(quantity.ToString()));
        }
    }

    private static void DefaultHostNetworkPorts(IList<V1Container>? containers)
    {
        foreach (var port in (containers ?? []).SelectMany(c => c.Ports ?? []))
        {
            if (port.HostPort is null or 0)
            {
                port.HostPort = port.ContainerPort;
            }
        }
    }

    /// <summary>DefaultTolerationSeconds admission: tolerate not-ready and unreachable nodes for 300 s unless the pod already does.</summary>
    private static void AddDefaultTolerations(V1PodSpec spec)
    {
        var tolerations = spec.Tolerations ?? [];
        var addNotReady = !tolerations.Any(t => Covers(t, NotReadyTaint));
        var addUnreachable = !tolerations.Any(t => Covers(t, UnreachableTaint));
        if (!addNotReady && !addUnreachable)
        {
            return;
        }

        spec.Tolerations = [.. tolerations];
        if (addNotReady)
        {
            spec.Tolerations.Add(NoExecuteFor(NotReadyTaint));
        }

        if (addUnreachable)
        {
            spec.Tolerations.Add(NoExecuteFor(UnreachableTaint));
        }

        static bool Covers(V1Toleration t, string key) =>
            (t.Key == key || string.IsNullOrEmpty(t.Key)) && (t.Effect == "NoExecute" || string.IsNullOrEmpty(t.Effect));

        static V1Toleration NoExecuteFor(string key) =>
            new() { Key = key, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = DefaultTolerationSeconds };
    }
}
