using static NodeAgent.Api.Http.Protobuf.ProtoField;

namespace NodeAgent.Api.Http.Protobuf;

/// <summary>
/// k8s.io/api core/v1 messages (field numbers from its generated.proto): the objects kubectl's generators
/// send and everything a pod template can hold short of the rarer volume plugins.
/// </summary>
internal static class CoreV1Schema
{
    public static Dictionary<string, Dictionary<int, ProtoField>> Messages()
    {
        var messages = new Dictionary<string, Dictionary<int, ProtoField>>(StringComparer.Ordinal);
        AddObjects(messages);
        AddPod(messages);
        AddContainer(messages);
        AddVolumes(messages);
        AddScheduling(messages);
        return messages;
    }

    private static void AddObjects(Dictionary<string, Dictionary<int, ProtoField>> m)
    {
        m["Namespace"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "NamespaceSpec"), [3] = Ignored("status") };
        m["NamespaceSpec"] = new() { [1] = Strs("finalizers") };
        m["ConfigMap"] = new()
        {
            [1] = Msg("metadata", "ObjectMeta"),
            [2] = Map("data"),
            [3] = ByteMap("binaryData"),
            [4] = FlagPtr("immutable"),
        };
        m["Secret"] = new()
        {
            [1] = Msg("metadata", "ObjectMeta"),
            [2] = ByteMap("data"),
            [3] = Str("type"),
            [4] = Map("stringData"),
            [5] = FlagPtr("immutable"),
        };
        m["ServiceAccount"] = new()
        {
            [1] = Msg("metadata", "ObjectMeta"),
            [2] = Msgs("secrets", "ObjectReference"),
            [3] = Msgs("imagePullSecrets", "LocalObjectReference"),
            [4] = FlagPtr("automountServiceAccountToken"),
        };
        m["ObjectReference"] = new()
        {
            [1] = Str("kind"),
            [2] = Str("namespace"),
            [3] = Str("name"),
            [4] = Str("uid"),
            [5] = Str("apiVersion"),
            [6] = Str("resourceVersion"),
            [7] = Str("fieldPath"),
        };
        m["LocalObjectReference"] = new() { [1] = Str("name") };

        // authentication/v1 TokenRequest: what kubectl create token (the typed client) posts to serviceaccounts/token.
        m["TokenRequest"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "TokenRequestSpec"), [3] = Ignored("status") };
        m["TokenRequestSpec"] = new() { [1] = Strs("audiences"), [3] = Msg("boundObjectRef", "BoundObjectReference"), [4] = LongPtr("expirationSeconds") };
        m["BoundObjectReference"] = new() { [1] = Str("kind"), [2] = Str("apiVersion"), [3] = Str("name"), [4] = Str("uid") };
        m["Service"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "ServiceSpec"), [3] = Ignored("status") };
        m["ServiceSpec"] = new()
        {
            [1] = Msgs("ports", "ServicePort"),
            [2] = Map("selector"),
            [3] = Str("clusterIP"),
            [4] = Str("type"),
            [5] = Strs("externalIPs"),
            [7] = Str("sessionAffinity"),
            [8] = Str("loadBalancerIP"),
            [9] = Strs("loadBalancerSourceRanges"),
            [10] = Str("externalName"),
            [11] = Str("externalTrafficPolicy"),
            [12] = Int("healthCheckNodePort"),
            [13] = Flag("publishNotReadyAddresses"),
            [14] = Msg("sessionAffinityConfig", "SessionAffinityConfig"),
            [17] = StrPtr("ipFamilyPolicy"),
            [18] = Strs("clusterIPs"),
            [19] = Strs("ipFamilies"),
            [20] = FlagPtr("allocateLoadBalancerNodePorts"),
            [21] = StrPtr("loadBalancerClass"),
            [22] = StrPtr("internalTrafficPolicy"),
            [23] = StrPtr("trafficDistribution"),
        };
        m["ServicePort"] = new()
        {
            [1] = Str("name"),
            [2] = Str("protocol"),
            [3] = Int("port"),
            [4] = IntStr("targetPort"),
            [5] = Int("nodePort"),
            [6] = StrPtr("appProtocol"),
        };
        m["SessionAffinityConfig"] = new() { [1] = Msg("clientIP", "ClientIPConfig") };
        m["ClientIPConfig"] = new() { [1] = IntPtr("timeoutSeconds") };
    }

    private static void AddPod(Dictionary<string, Dictionary<int, ProtoField>> m)
    {
        m["Pod"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "PodSpec"), [3] = Ignored("status") };
        m["PodTemplateSpec"] = new() { [1] = Msg("metadata", "ObjectMeta"), [2] = Msg("spec", "PodSpec") };
        m["PodSpec"] = new()
        {
            [1] = Msgs("volumes", "Volume"),
            [2] = Msgs("containers", "Container"),
            [3] = Str("restartPolicy"),
            [4] = LongPtr("terminationGracePeriodSeconds"),
            [5] = LongPtr("activeDeadlineSeconds"),
            [6] = Str("dnsPolicy"),
            [7] = Map("nodeSelector"),
            [8] = Str("serviceAccountName"),
            [9] = Str("serviceAccount"),
            [10] = Str("nodeName"),
            [11] = Flag("hostNetwork"),
            [12] = Flag("hostPID"),
            [13] = Flag("hostIPC"),
            [14] = Msg("securityContext", "PodSecurityContext"),
            [15] = Msgs("imagePullSecrets", "LocalObjectReference"),
            [16] = Str("hostname"),
            [17] = Str("subdomain"),
            [18] = Msg("affinity", "Affinity"),
            [19] = Str("schedulerName"),
            [20] = Msgs("initContainers", "Container"),
            [21] = FlagPtr("automountServiceAccountToken"),
            [22] = Msgs("tolerations", "Toleration"),
            [23] = Msgs("hostAliases", "HostAlias"),
            [24] = Str("priorityClassName"),
            [25] = IntPtr("priority"),
            [26] = Msg("dnsConfig", "PodDNSConfig"),
            [27] = FlagPtr("shareProcessNamespace"),
            [28] = Msgs("readinessGates", "PodReadinessGate"),
            [29] = StrPtr("runtimeClassName"),
            [30] = FlagPtr("enableServiceLinks"),
            [31] = StrPtr("preemptionPolicy"),
            [32] = QtyMap("overhead"),
            [33] = Msgs("topologySpreadConstraints", "TopologySpreadConstraint"),
            [34] = Msgs("ephemeralContainers", "EphemeralContainer"),
            [35] = FlagPtr("setHostnameAsFQDN"),
            [36] = Msg("os", "PodOS"),
            [37] = FlagPtr("hostUsers"),
            [38] = Msgs("schedulingGates", "PodSchedulingGate"),
            [40] = Msg("resources", "ResourceRequirements"),
        };
        m["PodOS"] = new() { [1] = Str("name") };
        m["PodSchedulingGate"] = new() { [1] = Str("name") };
        m["PodReadinessGate"] = new() { [1] = Str("conditionType") };
        m["HostAlias"] = new() { [1] = Str("ip"), [2] = Strs("hostnames") };
        m["PodDNSConfig"] = new()
        {
            [1] = Strs("nameservers"),
            [2] = Strs("searches"),
            [3] = Msgs("options", "PodDNSConfigOption"),
        };
        m["PodDNSConfigOption"] = new() { [1] = Str("name"), [2] = StrPtr("value") };
        m["PodSecurityContext"] = new()
        {
            [1] = Msg("seLinuxOptions", "SELinuxOptions"),
            [2] = LongPtr("runAsUser"),
            [3] = FlagPtr("runAsNonRoot"),
            [4] = Longs("supplementalGroups"),
            [5] = LongPtr("fsGroup"),
            [6] = LongPtr("runAsGroup"),
            [7] = Msgs("sysctls", "Sysctl"),
            [8] = Msg("windowsOptions", "WindowsSecurityContextOptions"),
            [9] = StrPtr("fsGroupChangePolicy"),
            [10] = Msg("seccompProfile", "SeccompProfile"),
            [11] = Msg("appArmorProfile", "AppArmorProfile"),
            [12] = StrPtr("supplementalGroupsPolicy"),
        };
        m["Sysctl"] = new() { [1] = Str("name"), [2] = Str("value") };
        m["SecurityContext"] = new()
        {
            [1] = Msg("capabilities", "Capabilities"),
            [2] = FlagPtr("privileged"),
            [3] = Msg("seLinuxOptions", "SELinuxOptions"),
            [4] = LongPtr("runAsUser"),
            [5] = FlagPtr("runAsNonRoot"),
            [6] = FlagPtr("readOnlyRootFilesystem"),
            [7] = FlagPtr("allowPrivilegeEscalation"),
            [8] = LongPtr("runAsGroup"),
            [9] = StrPtr("procMount"),
            [10] = Msg("windowsOptions", "WindowsSecurityContextOptions"),
            [11] = Msg("seccompProfile", "SeccompProfile"),
            [12] = Msg("appArmorProfile", "AppArmorProfile"),
        };
        m["Capabilities"] = new() { [1] = Strs("add"), [2] = Strs("drop") };
        m["SELinuxOptions"] = new() { [1] = Str("user"), [2] = Str("role"), [3] = Str("type"), [4] = Str("level") };
        m["SeccompProfile"] = new() { [1] = Str("type"), [2] = StrPtr("localhostProfile") };
        m["AppArmorProfile"] = new() { [1] = Str("type"), [2] = StrPtr("localhostProfile") };
        m["WindowsSecurityContextOptions"] = new()
        {
            [1] = StrPtr("gmsaCredentialSpecName"),
            [2] = StrPtr("gmsaCredentialSpec"),
            [3] = StrPtr("runAsUserName"),
            [4] = FlagPtr("hostProcess"),
        };
    }

    private static void AddContainer(Dictionary<string, Dictionary<int, ProtoField>> m)
    {
        m["Container"] = new()
        {
            [1] = Str("name"),
            [2] = Str("image"),
            [3] = Strs("command"),
            [4] = Strs("args"),
            [5] = Str("workingDir"),
            [6] = Msgs("ports", "ContainerPort"),
            [7] = Msgs("env", "EnvVar"),
            [8] = Msg("resources", "ResourceRequirements"),
            [9] = Msgs("volumeMounts", "VolumeMount"),
            [10] = Msg("livenessProbe", "Probe"),
            [11] = Msg("readinessProbe", "Probe"),
            [12] = Msg("lifecycle", "Lifecycle"),
            [13] = Str("terminationMessagePath"),
            [14] = Str("imagePullPolicy"),
            [15] = Msg("securityContext", "SecurityContext"),
            [16] = Flag("stdin"),
            [17] = Flag("stdinOnce"),
            [18] = Flag("tty"),
            [19] = Msgs("envFrom", "EnvFromSource"),
            [20] = Str("terminationMessagePolicy"),
            [21] = Msgs("volumeDevices", "VolumeDevice"),
            [22] = Msg("startupProbe", "Probe"),
            [23] = Msgs("resizePolicy", "ContainerResizePolicy"),
            [24] = StrPtr("restartPolicy"),
        };

        // EphemeralContainerCommon repeats Container's fields and numbers; Go inlines it into EphemeralContainer.
        m["EphemeralContainerCommon"] = m["Container"];
        m["EphemeralContainer"] = new() { [1] = Inline("EphemeralContainerCommon"), [2] = Str("targetContainerName") };
        m["ContainerPort"] = new()
        {
            [1] = Str("name"),
            [2] = Int("hostPort"),
            [3] = Int("containerPort"),
            [4] = Str("protocol"),
            [5] = Str("hostIP"),
        };
        m["ContainerResizePolicy"] = new() { [1] = Str("resourceName"), [2] = Str("restartPolicy") };
        m["EnvVar"] = new() { [1] = Str("name"), [2] = Str("value"), [3] = Msg("valueFrom", "EnvVarSource") };
        m["EnvVarSource"] = new()
        {
            [1] = Msg("fieldRef", "ObjectFieldSelector"),
            [2] = Msg("resourceFieldRef", "ResourceFieldSelector"),
            [3] = Msg("configMapKeyRef", "ConfigMapKeySelector"),
            [4] = Msg("secretKeyRef", "SecretKeySelector"),
        };
        m["ObjectFieldSelector"] = new() { [1] = Str("apiVersion"), [2] = Str("fieldPath") };
        m["ResourceFieldSelector"] = new() { [1] = Str("containerName"), [2] = Str("resource"), [3] = Qty("divisor") };
        m["ConfigMapKeySelector"] = new() { [1] = Inline("LocalObjectReference"), [2] = Str("key"), [3] = FlagPtr("optional") };
        m["SecretKeySelector"] = m["ConfigMapKeySelector"];
        m["EnvFromSource"] = new()
        {
            [1] = Str("prefix"),
            [2] = Msg("configMapRef", "ConfigMapEnvSource"),
            [3] = Msg("secretRef", "SecretEnvSource"),
        };
        m["ConfigMapEnvSource"] = new() { [1] = Inline("LocalObjectReference"), [2] = FlagPtr("optional") };
        m["SecretEnvSource"] = m["ConfigMapEnvSource"];
        m["ResourceRequirements"] = new()
        {
            [1] = QtyMap("limits"),
            [2] = QtyMap("requests"),
            [3] = Msgs("claims", "ResourceClaim"),
        };
        m["ResourceClaim"] = new() { [1] = Str("name"), [2] = Str("request") };
        m["VolumeMount"] = new()
        {
            [1] = Str("name"),
            [2] = Flag("readOnly"),
            [3] = Str("mountPath"),
            [4] = Str("subPath"),
            [5] = StrPtr("mountPropagation"),
            [6] = Str("subPathExpr"),
            [7] = StrPtr("recursiveReadOnly"),
        };
        m["VolumeDevice"] = new() { [1] = Str("name"), [2] = Str("devicePath") };
        m["Probe"] = new()
        {
            [1] = Inline("ProbeHandler"),
            [2] = Int("initialDelaySeconds"),
            [3] = Int("timeoutSeconds"),
            [4] = Int("periodSeconds"),
            [5] = Int("successThreshold"),
            [6] = Int("failureThreshold"),
            [7] = LongPtr("terminationGracePeriodSeconds"),
        };
        m["ProbeHandler"] = new()
        {
            [1] = Msg("exec", "ExecAction"),
            [2] = Msg("httpGet", "HTTPGetAction"),
            [3] = Msg("tcpSocket", "TCPSocketAction"),
            [4] = Msg("grpc", "GRPCAction"),
        };
        m["Lifecycle"] = new() { [1] = Msg("postStart", "LifecycleHandler"), [2] = Msg("preStop", "LifecycleHandler") };
        m["LifecycleHandler"] = new()
        {
            [1] = Msg("exec", "ExecAction"),
            [2] = Msg("httpGet", "HTTPGetAction"),
            [3] = Msg("tcpSocket", "TCPSocketAction"),
            [4] = Msg("sleep", "SleepAction"),
        };
        m["ExecAction"] = new() { [1] = Strs("command") };
        m["HTTPGetAction"] = new()
        {
            [1] = Str("path"),
            [2] = IntStr("port"),
            [3] = Str("host"),
            [4] = Str("scheme"),
            [5] = Msgs("httpHeaders", "HTTPHeader"),
        };
        m["HTTPHeader"] = new() { [1] = Str("name"), [2] = Str("value") };
        m["TCPSocketAction"] = new() { [1] = IntStr("port"), [2] = Str("host") };
        m["GRPCAction"] = new() { [1] = Int("port"), [2] = StrPtr("service") };
        m["SleepAction"] = new() { [1] = Long("seconds") };
    }

    private static void AddVolumes(Dictionary<string, Dictionary<int, ProtoField>> m)
    {
        m["Volume"] = new() { [1] = Str("name"), [2] = Inline("VolumeSource") };
        m["VolumeSource"] = new()
        {
            [1] = Msg("hostPath", "HostPathVolumeSource"),
            [2] = Msg("emptyDir", "EmptyDirVolumeSource"),
            [6] = Msg("secret", "SecretVolumeSource"),
            [7] = Msg("nfs", "NFSVolumeSource"),
            [10] = Msg("persistentVolumeClaim", "PersistentVolumeClaimVolumeSource"),
            [16] = Msg("downwardAPI", "DownwardAPIVolumeSource"),
            [19] = Msg("configMap", "ConfigMapVolumeSource"),
            [26] = Msg("projected", "ProjectedVolumeSource"),
            [28] = Msg("csi", "CSIVolumeSource"),
        };
        m["HostPathVolumeSource"] = new() { [1] = Str("path"), [2] = StrPtr("type") };
        m["EmptyDirVolumeSource"] = new() { [1] = Str("medium"), [2] = Qty("sizeLimit") };
        m["SecretVolumeSource"] = new()
        {
            [1] = Str("secretName"),
            [2] = Msgs("items", "KeyToPath"),
            [3] = IntPtr("defaultMode"),
            [4] = FlagPtr("optional"),
        };
        m["ConfigMapVolumeSource"] = new()
        {
            [1] = Inline("LocalObjectReference"),
            [2] = Msgs("items", "KeyToPath"),
            [3] = IntPtr("defaultMode"),
            [4] = FlagPtr("optional"),
        };
        m["KeyToPath"] = new() { [1] = Str("key"), [2] = Str("path"), [3] = IntPtr("mode") };
        m["NFSVolumeSource"] = new() { [1] = Str("server"), [2] = Str("path"), [3] = Flag("readOnly") };
        m["PersistentVolumeClaimVolumeSource"] = new() { [1] = Str("claimName"), [2] = Flag("readOnly") };
        m["DownwardAPIVolumeSource"] = new() { [1] = Msgs("items", "DownwardAPIVolumeFile"), [2] = IntPtr("defaultMode") };
        m["DownwardAPIVolumeFile"] = new()
        {
            [1] = Str("path"),
            [2] = Msg("fieldRef", "ObjectFieldSelector"),
            [3] = Msg("resourceFieldRef", "ResourceFieldSelector"),
            [4] = IntPtr("mode"),
        };
        m["ProjectedVolumeSource"] = new() { [1] = Msgs("sources", "VolumeProjection"), [2] = IntPtr("defaultMode") };
        m["VolumeProjection"] = new()
        {
            [1] = Msg("secret", "SecretProjection"),
            [2] = Msg("downwardAPI", "DownwardAPIProjection"),
            [3] = Msg("configMap", "ConfigMapProjection"),
            [4] = Msg("serviceAccountToken", "ServiceAccountTokenProjection"),
        };
        m["SecretProjection"] = new() { [1] = Inline("LocalObjectReference"), [2] = Msgs("items", "KeyToPath"), [4] = FlagPtr("optional") };
        m["ConfigMapProjection"] = m["SecretProjection"];
        m["DownwardAPIProjection"] = new() { [1] = Msgs("items", "DownwardAPIVolumeFile") };
        m["ServiceAccountTokenProjection"] = new() { [1] = Str("audience"), [2] = LongPtr("expirationSeconds"), [3] = Str("path") };
        m["CSIVolumeSource"] = new()
        {
            [1] = Str("driver"),
            [2] = FlagPtr("readOnly"),
            [3] = StrPtr("fsType"),
            [4] = Map("volumeAttributes"),
            [5] = Msg("nodePublishSecretRef", "LocalObjectReference"),
        };
    }

    private static void AddScheduling(Dictionary<string, Dictionary<int, ProtoField>> m)
    {
        m["Toleration"] = new()
        {
            [1] = Str("key"),
            [2] = Str("operator"),
            [3] = Str("value"),
            [4] = Str("effect"),
            [5] = LongPtr("tolerationSeconds"),
        };
        m["TopologySpreadConstraint"] = new()
        {
            [1] = Int("maxSkew"),
            [2] = Str("topologyKey"),
            [3] = Str("whenUnsatisfiable"),
            [4] = Msg("labelSelector", "LabelSelector"),
            [5] = IntPtr("minDomains"),
            [6] = StrPtr("nodeAffinityPolicy"),
            [7] = StrPtr("nodeTaintsPolicy"),
            [8] = Strs("matchLabelKeys"),
        };
        m["Affinity"] = new()
        {
            [1] = Msg("nodeAffinity", "NodeAffinity"),
            [2] = Msg("podAffinity", "PodAffinity"),
            [3] = Msg("podAntiAffinity", "PodAffinity"),
        };
        m["NodeAffinity"] = new()
        {
            [1] = Msg("requiredDuringSchedulingIgnoredDuringExecution", "NodeSelector"),
            [2] = Msgs("preferredDuringSchedulingIgnoredDuringExecution", "PreferredSchedulingTerm"),
        };
        m["NodeSelector"] = new() { [1] = Msgs("nodeSelectorTerms", "NodeSelectorTerm") };
        m["NodeSelectorTerm"] = new()
        {
            [1] = Msgs("matchExpressions", "NodeSelectorRequirement"),
            [2] = Msgs("matchFields", "NodeSelectorRequirement"),
        };
        m["NodeSelectorRequirement"] = new() { [1] = Str("key"), [2] = Str("operator"), [3] = Strs("values") };
        m["PreferredSchedulingTerm"] = new() { [1] = Int("weight"), [2] = Msg("preference", "NodeSelectorTerm") };

        // PodAntiAffinity has PodAffinity's fields and numbers.
        m["PodAffinity"] = new()
        {
            [1] = Msgs("requiredDuringSchedulingIgnoredDuringExecution", "PodAffinityTerm"),
            [2] = Msgs("preferredDuringSchedulingIgnoredDuringExecution", "WeightedPodAffinityTerm"),
        };
        m["PodAffinityTerm"] = new()
        {
            [1] = Msg("labelSelector", "LabelSelector"),
            [2] = Strs("namespaces"),
            [3] = Str("topologyKey"),
            [4] = Msg("namespaceSelector", "LabelSelector"),
            [5] = Strs("matchLabelKeys"),
            [6] = Strs("mismatchLabelKeys"),
        };
        m["WeightedPodAffinityTerm"] = new() { [1] = Int("weight"), [2] = Msg("podAffinityTerm", "PodAffinityTerm") };
    }
}
