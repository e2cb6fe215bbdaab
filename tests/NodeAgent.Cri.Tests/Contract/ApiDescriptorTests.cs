using Google.Protobuf.Reflection;
using NodeAgent.Cri.V1;

namespace NodeAgent.Cri.Tests.Contract;

/// <summary>
/// Checks the compiled CRI descriptor against facts taken from the upstream runtime.v1 api.proto
/// (kubernetes/kubernetes staging/src/k8s.io/cri-api/pkg/apis/runtime/v1). A failure here means our
/// proto no longer speaks the same wire format as kubelet, crictl and containerd.
/// </summary>
public sealed class ApiDescriptorTests
{
    private static readonly FileDescriptor File = ApiReflection.Descriptor;

    [Fact]
    public void Package_is_runtime_v1()
    {
        Assert.Equal("runtime.v1", File.Package);
        Assert.Empty(File.Dependencies);
        Assert.Equal(["RuntimeService", "ImageService"], File.Services.Select(s => s.Name));
        Assert.Equal("runtime.v1.RuntimeService", File.Services[0].FullName);
    }

    [Fact]
    public void RuntimeService_has_every_upstream_rpc_in_order()
    {
        string[] expected =
        [
            "Version(VersionRequest) VersionResponse",
            "RunPodSandbox(RunPodSandboxRequest) RunPodSandboxResponse",
            "StopPodSandbox(StopPodSandboxRequest) StopPodSandboxResponse",
            "RemovePodSandbox(RemovePodSandboxRequest) RemovePodSandboxResponse",
            "PodSandboxStatus(PodSandboxStatusRequest) PodSandboxStatusResponse",
            "ListPodSandbox(ListPodSandboxRequest) ListPodSandboxResponse",
            "StreamPodSandboxes(StreamPodSandboxesRequest) stream StreamPodSandboxesResponse",
            "CreateContainer(CreateContainerRequest) CreateContainerResponse",
            "StartContainer(StartContainerRequest) StartContainerResponse",
            "StopContainer(StopContainerRequest) StopContainerResponse",
            "RemoveContainer(RemoveContainerRequest) RemoveContainerResponse",
            "ListContainers(ListContainersRequest) ListContainersResponse",
            "StreamContainers(StreamContainersRequest) stream StreamContainersResponse",
            "ContainerStatus(ContainerStatusRequest) ContainerStatusResponse",
            "UpdateContainerResources(UpdateContainerResourcesRequest) UpdateContainerResourcesResponse",
            "ReopenContainerLog(ReopenContainerLogRequest) ReopenContainerLogResponse",
            "ExecSync(ExecSyncRequest) ExecSyncResponse",
            "Exec(ExecRequest) ExecResponse",
            "Attach(AttachRequest) AttachResponse",
            "PortForward(PortForwardRequest) PortForwardResponse",
            "ContainerStats(ContainerStatsRequest) ContainerStatsResponse",
            "ListContainerStats(ListContainerStatsRequest) ListContainerStatsResponse",
            "StreamContainerStats(StreamContainerStatsRequest) stream StreamContainerStatsResponse",
            "PodSandboxStats(PodSandboxStatsRequest) PodSandboxStatsResponse",
            "ListPodSandboxStats(ListPodSandboxStatsRequest) ListPodSandboxStatsResponse",
            "StreamPodSandboxStats(StreamPodSandboxStatsRequest) stream StreamPodSandboxStatsResponse",
            "UpdateRuntimeConfig(UpdateRuntimeConfigRequest) UpdateRuntimeConfigResponse",
            "Status(StatusRequest) StatusResponse",
            "CheckpointContainer(CheckpointContainerRequest) CheckpointContainerResponse",
            "GetContainerEvents(GetEventsRequest) stream ContainerEventResponse",
            "ListMetricDescriptors(ListMetricDescriptorsRequest) ListMetricDescriptorsResponse",
            "ListPodSandboxMetrics(ListPodSandboxMetricsRequest) ListPodSandboxMetricsResponse",
            "StreamPodSandboxMetrics(StreamPodSandboxMetricsRequest) stream StreamPodSandboxMetricsResponse",
            "RuntimeConfig(RuntimeConfigRequest) RuntimeConfigResponse",
            "UpdatePodSandboxResources(UpdatePodSandboxResourcesRequest) UpdatePodSandboxResourcesResponse",
        ];

        Assert.Equal(expected, Signatures(RuntimeService.Descriptor));
    }

    [Fact]
    public void ImageService_has_every_upstream_rpc_in_order()
    {
        string[] expected =
        [
            "ListImages(ListImagesRequest) ListImagesResponse",
            "StreamImages(StreamImagesRequest) stream StreamImagesResponse",
            "ImageStatus(ImageStatusRequest) ImageStatusResponse",
            "PullImage(PullImageRequest) PullImageResponse",
            "RemoveImage(RemoveImageRequest) RemoveImageResponse",
            "ImageFsInfo(ImageFsInfoRequest) ImageFsInfoResponse",
        ];

        Assert.Equal(expected, Signatures(ImageService.Descriptor));
    }

    [Fact]
    public void No_rpc_streams_from_the_client()
    {
        var methods = File.Services.SelectMany(s => s.Methods).ToList();

        Assert.Equal(41, methods.Count);
        Assert.All(methods, m => Assert.False(m.IsClientStreaming, m.FullName));
        Assert.Equal(7, methods.Count(m => m.IsServerStreaming));
    }

    [Fact]
    public void File_has_the_upstream_number_of_messages_and_enums_and_no_oneofs()
    {
        Assert.Equal(170, File.MessageTypes.Count);
        Assert.Equal(10, File.EnumTypes.Count);
        Assert.All(AllMessages(), m => Assert.Empty(m.Oneofs));
    }

    [Theory]
    // Gaps and out-of-order numbers: the places a hand copy goes wrong.
    [InlineData("LinuxContainerResources", "cpu_period", 1, "int64")]
    [InlineData("LinuxContainerResources", "oom_score_adj", 5, "int64")]
    [InlineData("LinuxContainerResources", "cpuset_mems", 7, "string")]
    [InlineData("LinuxContainerResources", "hugepage_limits", 8, "repeated runtime.v1.HugepageLimit")]
    [InlineData("LinuxContainerResources", "unified", 9, "map<string, string>")]
    [InlineData("LinuxContainerResources", "memory_swap_limit_in_bytes", 10, "int64")]
    [InlineData("ContainerStatus", "exit_code", 7, "int32")]
    [InlineData("ContainerStatus", "image", 8, "runtime.v1.ImageSpec")]
    [InlineData("ContainerStatus", "reason", 10, "string")]
    [InlineData("ContainerStatus", "mounts", 14, "repeated runtime.v1.Mount")]
    [InlineData("ContainerStatus", "resources", 16, "runtime.v1.ContainerResources")]
    [InlineData("ContainerStatus", "image_id", 17, "string")]
    [InlineData("ContainerStatus", "user", 18, "runtime.v1.ContainerUser")]
    [InlineData("ContainerStatus", "stop_signal", 19, "runtime.v1.Signal")]
    [InlineData("PodSandboxStatus", "network", 5, "runtime.v1.PodSandboxNetworkStatus")]
    [InlineData("PodSandboxStatus", "annotations", 8, "map<string, string>")]
    [InlineData("PodSandboxStatus", "runtime_handler", 9, "string")]
    [InlineData("PodSandboxStatusResponse", "containers_statuses", 3, "repeated runtime.v1.ContainerStatus")]
    [InlineData("PodSandboxStatusResponse", "timestamp", 4, "int64")]
    [InlineData("ImageSpec", "annotations", 2, "map<string, string>")]
    [InlineData("ImageSpec", "user_specified_image", 18, "string")]
    [InlineData("ImageSpec", "runtime_handler", 19, "string")]
    [InlineData("ImageSpec", "image_ref", 20, "string")]
    [InlineData("Image", "size", 4, "uint64")]
    [InlineData("Image", "uid", 5, "runtime.v1.Int64Value")]
    [InlineData("Image", "spec", 7, "runtime.v1.ImageSpec")]
    [InlineData("Image", "pinned", 8, "bool")]
    [InlineData("SecurityProfile", "profile_type", 1, "runtime.v1.SecurityProfile.ProfileType")]
    [InlineData("SecurityProfile", "localhost_ref", 2, "string")]
    [InlineData("LinuxContainerSecurityContext", "run_as_username", 6, "string")]
    [InlineData("LinuxContainerSecurityContext", "apparmor_profile", 9, "string")]
    [InlineData("LinuxContainerSecurityContext", "seccomp_profile_path", 10, "string")]
    [InlineData("LinuxContainerSecurityContext", "no_new_privs", 11, "bool")]
    [InlineData("LinuxContainerSecurityContext", "run_as_group", 12, "runtime.v1.Int64Value")]
    [InlineData("LinuxContainerSecurityContext", "masked_paths", 13, "repeated string")]
    [InlineData("LinuxContainerSecurityContext", "readonly_paths", 14, "repeated string")]
    [InlineData("LinuxContainerSecurityContext", "seccomp", 15, "runtime.v1.SecurityProfile")]
    [InlineData("LinuxContainerSecurityContext", "apparmor", 16, "runtime.v1.SecurityProfile")]
    [InlineData("LinuxContainerSecurityContext", "supplemental_groups_policy", 17, "runtime.v1.SupplementalGroupsPolicy")]
    [InlineData("LinuxSandboxSecurityContext", "readonly_rootfs", 4, "bool")]
    [InlineData("LinuxSandboxSecurityContext", "seccomp_profile_path", 7, "string")]
    [InlineData("LinuxSandboxSecurityContext", "run_as_group", 8, "runtime.v1.Int64Value")]
    [InlineData("LinuxSandboxSecurityContext", "seccomp", 9, "runtime.v1.SecurityProfile")]
    [InlineData("LinuxSandboxSecurityContext", "supplemental_groups_policy", 11, "runtime.v1.SupplementalGroupsPolicy")]
    [InlineData("Mount", "propagation", 5, "runtime.v1.MountPropagation")]
    [InlineData("Mount", "uidMappings", 6, "repeated runtime.v1.IDMapping")]
    [InlineData("Mount", "gidMappings", 7, "repeated runtime.v1.IDMapping")]
    [InlineData("Mount", "recursive_read_only", 8, "bool")]
    [InlineData("Mount", "image", 9, "runtime.v1.ImageSpec")]
    [InlineData("Mount", "image_sub_path", 10, "string")]
    [InlineData("Namespace", "options", 2, "runtime.v1.NamespaceOption")]
    [InlineData("NamespaceOption", "userns_options", 5, "runtime.v1.UserNamespace")]
    [InlineData("ContainerConfig", "log_path", 11, "string")]
    [InlineData("ContainerConfig", "linux", 15, "runtime.v1.LinuxContainerConfig")]
    [InlineData("ContainerConfig", "CDI_devices", 17, "repeated runtime.v1.CDIDevice")]
    [InlineData("ContainerConfig", "stop_signal", 18, "runtime.v1.Signal")]
    [InlineData("Container", "image_ref", 5, "string")]
    [InlineData("Container", "image_id", 10, "string")]
    [InlineData("ExecRequest", "tty", 3, "bool")]
    [InlineData("ExecRequest", "stdin", 4, "bool")]
    [InlineData("AttachRequest", "stdin", 2, "bool")]
    [InlineData("AttachRequest", "tty", 3, "bool")]
    [InlineData("ExecSyncResponse", "stdout", 1, "bytes")]
    [InlineData("ExecSyncResponse", "exit_code", 3, "int32")]
    [InlineData("PortForwardRequest", "port", 2, "repeated int32")]
    [InlineData("AuthConfig", "registry_token", 6, "string")]
    [InlineData("PullImageRequest", "sandbox_config", 3, "runtime.v1.PodSandboxConfig")]
    [InlineData("PodSandboxConfig", "windows", 9, "runtime.v1.WindowsPodSandboxConfig")]
    [InlineData("LinuxPodSandboxConfig", "sysctls", 3, "map<string, string>")]
    [InlineData("LinuxPodSandboxConfig", "resources", 5, "runtime.v1.LinuxContainerResources")]
    [InlineData("PortMapping", "host_ip", 4, "string")]
    [InlineData("IDMapping", "length", 3, "uint32")]
    [InlineData("HugepageLimit", "limit", 2, "uint64")]
    [InlineData("ContainerEventResponse", "containers_statuses", 5, "repeated runtime.v1.ContainerStatus")]
    [InlineData("ContainerStats", "swap", 5, "runtime.v1.SwapUsage")]
    [InlineData("ContainerStats", "io", 6, "runtime.v1.IoUsage")]
    [InlineData("LinuxPodSandboxStats", "io", 6, "runtime.v1.IoUsage")]
    [InlineData("MemoryUsage", "psi", 8, "runtime.v1.PsiStats")]
    [InlineData("PsiStats", "Some", 2, "runtime.v1.PsiData")]
    [InlineData("PsiData", "Avg300", 4, "double")]
    [InlineData("WindowsContainerResources", "affinity_cpus", 6, "repeated runtime.v1.WindowsCpuGroupAffinity")]
    [InlineData("StatusResponse", "features", 4, "runtime.v1.RuntimeFeatures")]
    [InlineData("ImageFsInfoResponse", "container_filesystems", 2, "repeated runtime.v1.FilesystemUsage")]
    [InlineData("Metric", "value", 5, "runtime.v1.UInt64Value")]
    [InlineData("UpdatePodSandboxResourcesRequest", "resources", 3, "runtime.v1.LinuxContainerResources")]
    [InlineData("RuntimeConfigResponse", "linux", 1, "runtime.v1.LinuxRuntimeConfiguration")]
    public void Field_matches_upstream(string message, string field, int number, string type)
    {
        var descriptor = Message(message).FindFieldByNumber(number);

        Assert.NotNull(descriptor);
        Assert.Equal(field, descriptor.Name);
        Assert.Equal(type, Describe(descriptor));
    }

    [Theory]
    [InlineData("ContainerStatus", 19)]
    [InlineData("ImageSpec", 5)]
    [InlineData("LinuxContainerSecurityContext", 17)]
    [InlineData("LinuxSandboxSecurityContext", 11)]
    [InlineData("LinuxContainerResources", 10)]
    [InlineData("Mount", 10)]
    [InlineData("ContainerConfig", 18)]
    [InlineData("Namespace", 1)]
    [InlineData("ContainerUser", 1)]
    public void Message_has_the_upstream_field_count(string message, int count)
    {
        Assert.Equal(count, Message(message).Fields.InDeclarationOrder().Count);
    }

    [Theory]
    [InlineData("Protocol", "SCTP", 2)]
    [InlineData("MountPropagation", "PROPAGATION_BIDIRECTIONAL", 2)]
    [InlineData("NamespaceMode", "TARGET", 3)]
    [InlineData("SupplementalGroupsPolicy", "Strict", 1)]
    [InlineData("PodSandboxState", "SANDBOX_NOTREADY", 1)]
    [InlineData("ContainerState", "CONTAINER_UNKNOWN", 3)]
    [InlineData("ContainerEventType", "CONTAINER_DELETED_EVENT", 3)]
    [InlineData("MetricType", "GAUGE", 1)]
    [InlineData("CgroupDriver", "CGROUPFS", 1)]
    [InlineData("Signal", "RUNTIME_DEFAULT", 0)]
    [InlineData("Signal", "SIGKILL", 13)]
    [InlineData("Signal", "SIGTERM", 23)]
    [InlineData("Signal", "SIGRTMIN", 35)]
    [InlineData("Signal", "SIGRTMAX", 65)]
    public void Enum_value_matches_upstream(string enumName, string value, int number)
    {
        var descriptor = File.EnumTypes.Single(e => e.Name == enumName);

        Assert.Equal(number, descriptor.FindValueByName(value).Number);
    }

    [Fact]
    public void Nested_profile_type_and_signal_range_match_upstream()
    {
        var profileType = Message("SecurityProfile").EnumTypes.Single();

        Assert.Equal("ProfileType", profileType.Name);
        Assert.Equal(["RuntimeDefault=0", "Unconfined=1", "Localhost=2"], profileType.Values.Select(v => $"{v.Name}={v.Number}"));
        Assert.Equal(Enumerable.Range(0, 66), File.EnumTypes.Single(e => e.Name == "Signal").Values.Select(v => v.Number));
    }

    [Fact]
    public void Legacy_profile_strings_are_marked_deprecated()
    {
        Assert.True(Message("LinuxContainerSecurityContext").FindFieldByName("apparmor_profile").GetOptions().Deprecated);
        Assert.True(Message("LinuxContainerSecurityContext").FindFieldByName("seccomp_profile_path").GetOptions().Deprecated);
        Assert.True(Message("LinuxSandboxSecurityContext").FindFieldByName("seccomp_profile_path").GetOptions().Deprecated);
    }

    private static MessageDescriptor Message(string name) => File.MessageTypes.Single(m => m.Name == name);

    private static IEnumerable<MessageDescriptor> AllMessages()
    {
        var pending = new Stack<MessageDescriptor>(File.MessageTypes);
        while (pending.Count > 0)
        {
            var message = pending.Pop();
            yield return message;
            foreach (var nested in message.NestedTypes)
            {
                pending.Push(nested);
            }
        }
    }

    private static IEnumerable<string> Signatures(ServiceDescriptor service) =>
        service.Methods.Select(m =>
            $"{m.Name}({(m.IsClientStreaming ? "stream " : "")}{m.InputType.Name}) {(m.IsServerStreaming ? "stream " : "")}{m.OutputType.Name}");

    private static string Describe(FieldDescriptor field)
    {
        if (field.IsMap)
        {
            var entry = field.MessageType;
            return $"map<{TypeName(entry.FindFieldByNumber(1))}, {TypeName(entry.FindFieldByNumber(2))}>";
        }

        return (field.IsRepeated ? "repeated " : "") + TypeName(field);
    }

    private static string TypeName(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message => field.MessageType.FullName,
        FieldType.Enum => field.EnumType.FullName,
        _ => field.FieldType.ToString().ToLowerInvariant(),
    };
}
