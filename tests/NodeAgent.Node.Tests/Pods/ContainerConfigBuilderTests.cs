using k8s.Models;
using NodeAgent.Cri.V1;
using NodeAgent.Node.Pods;

namespace NodeAgent.Node.Tests.Pods;

public class ContainerConfigBuilderTests
{
    private static readonly NodeOptions Options = new() { HostIP = "192.0.2.1", MemoryCapacityBytes = 1L << 30, AllocatableMilliCpu = 2000 };

    [Theory]
    [InlineData("$(A)", "a")]
    [InlineData("x$(A)y$(B)z", "xaybz")]
    [InlineData("$$(A)", "$(A)")]
    [InlineData("$(MISSING)", "$(MISSING)")]
    [InlineData("$(A", "$(A")]
    [InlineData("$A $", "$A $")]
    [InlineData("$$$$", "$$")]
    [InlineData("$()", "$()")]
    public void Expansion_follows_kubernetes_rules(string input, string expected)
        => Assert.Equal(expected, Expansion.Expand(input, n => n switch { "A" => "a", "B" => "b", _ => null }));

    [Fact]
    public async Task Env_from_values_configmaps_secrets_fieldrefs_and_resources_in_kubelet_order()
    {
        var objects = new InMemoryObjects()
            .Add(InMemoryObjects.ConfigMap("cm", new() { ["greeting"] = "hello", ["bad key"] = "skipped", ["FROM_CM"] = "cm" }))
            .Add(InMemoryObjects.Secret("s", new() { ["password"] = "p4ss" }));
        var container = TestPods.Container("app", "busybox", "/bin/echo", "$(GREETING)", "$$(GREETING)");
        container.Args = ["$(POD_NAME)"];
        container.Resources = new V1ResourceRequirements { Limits = TestPods.Resources(memory: "64Mi"), Requests = TestPods.Resources(cpu: "250m") };
        container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "cm" }, Prefix = "CM_" }];
        container.Env =
        [
            new V1EnvVar { Name = "GREETING", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cm", Key = "greeting" } } },
            new V1EnvVar { Name = "PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "s", Key = "password" } } },
            new V1EnvVar { Name = "OPTIONAL", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "nope", Key = "k", Optional = true } } },
            new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
            new V1EnvVar { Name = "HOST_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.hostIP" } } },
            new V1EnvVar { Name = "TIER", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels['tier']" } } },
            new V1EnvVar { Name = "MEM_MI", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") } } },
            new V1EnvVar { Name = "CPU_REQ", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "requests.cpu", Divisor = new ResourceQuantity("1m") } } },
            new V1EnvVar { Name = "CPU_LIM", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "limits.cpu" } } },
            new V1EnvVar { Name = "COMBINED", Value = "$(GREETING)-$(POD_NAME)-$(LATER)" },
            new V1EnvVar { Name = "LATER", Value = "late" },
        ];
        var pod = TestPods.Pod("envpod", container);
        pod.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "front" };

        var config = await new ContainerConfigBuilder(Options, objects).BuildAsync(new ContainerBuildContext(pod, container, 0) { PodIP = "10.66.0.5" }, CancellationToken.None);
        var env = config.Envs.ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal("hello", env["CM_greeting"]);
        Assert.Equal("cm", env["CM_FROM_CM"]);
        Assert.False(env.ContainsKey("CM_bad key"));
        Assert.Equal("hello", env["GREETING"]);
        Assert.Equal("p4ss", env["PASSWORD"]);
        Assert.False(env.ContainsKey("OPTIONAL"));
        Assert.Equal("envpod", env["POD_NAME"]);
        Assert.Equal("10.66.0.5", env["POD_IP"]);
        Assert.Equal("192.0.2.1", env["HOST_IP"]);
        Assert.Equal("front", env["TIER"]);
        Assert.Equal("64", env["MEM_MI"]);
        Assert.Equal("250", env["CPU_REQ"]);
        Assert.Equal("2", env["CPU_LIM"]);
        Assert.Equal("hello-envpod-$(LATER)", env["COMBINED"]);
        Assert.Equal(["/bin/echo", "hello", "$(GREETING)"], config.Command);
        Assert.Equal(["envpod"], config.Args);
    }

    [Theory]
    [InlineData("secret", "secret \"missing\" not found")]
    [InlineData("secretKey", "couldn't find key nokey in Secret default/s")]
    [InlineData("configmap", "configmap \"missing\" not found")]
    [InlineData("configmapKey", "couldn't find key nokey in ConfigMap default/cm")]
    public async Task Missing_required_references_fail_with_kubelet_messages(string kind, string message)
    {
        var objects = new InMemoryObjects().Add(InMemoryObjects.ConfigMap("cm", [])).Add(InMemoryObjects.Secret("s", []));
        var source = kind switch
        {
            "secret" => new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "missing", Key = "k" } },
            "secretKey" => new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "s", Key = "nokey" } },
            "configmap" => new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "missing", Key = "k" } },
            _ => new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cm", Key = "nokey" } },
        };
        var container = TestPods.Container("app", "busybox");
        container.Env = [new V1EnvVar { Name = "X", ValueFrom = source }];
        var pod = TestPods.Pod("p", container);

        var error = await Assert.ThrowsAsync<ContainerConfigException>(() => new ContainerConfigBuilder(Options, objects).BuildAsync(new ContainerBuildContext(pod, container, 0), CancellationToken.None));

        Assert.Equal(message, error.Message);
        Assert.Equal("CreateContainerConfigError", error.Reason);
    }

    [Fact]
    public async Task Resources_security_mounts_labels_and_log_path()
    {
        var volume = Path.Combine(Path.GetTempPath(), "ccb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(volume);
        try
        {
            var container = TestPods.Container("app", "busybox");
            container.Resources = new V1ResourceRequirements { Requests = TestPods.Resources(cpu: "500m", memory: "256Mi"), Limits = TestPods.Resources(cpu: "1500m", memory: "512Mi") };
            container.SecurityContext = new V1SecurityContext
            {
                Capabilities = new V1Capabilities { Add = ["NET_ADMIN"], Drop = ["ALL"] },
                RunAsUser = 1234,
                RunAsNonRoot = true,
                ReadOnlyRootFilesystem = true,
                AllowPrivilegeEscalation = false,
                SeccompProfile = new V1SeccompProfile { Type = "Localhost", LocalhostProfile = "p.json" },
            };
            container.VolumeMounts =
            [
                new V1VolumeMount { Name = "data", MountPath = "/data", ReadOnlyProperty = true, MountPropagation = "HostToContainer" },
                new V1VolumeMount { Name = "data", MountPath = "/sub", SubPath = "nested/dir" },
            ];
            container.Stdin = true;
            container.Tty = true;
            container.WorkingDir = "/work";
            var pod = TestPods.Pod("p", container);
            pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsGroup = 99 };

            var config = await new ContainerConfigBuilder(Options with { SeccompProfileRoot = "/seccomp" }, new InMemoryObjects())
                .BuildAsync(new ContainerBuildContext(pod, container, 3) { VolumePaths = new Dictionary<string, string> { ["data"] = volume } }, CancellationToken.None);

            var r = config.Linux.Resources;
            Assert.Equal(512, r.CpuShares);
            Assert.Equal(100_000, r.CpuPeriod);
            Assert.Equal(150_000, r.CpuQuota);
            Assert.Equal(512L * 1024 * 1024, r.MemoryLimitInBytes);
            Assert.Equal(750, r.OomScoreAdj);
            var sc = config.Linux.SecurityContext;
            Assert.Equal(["NET_ADMIN"], sc.Capabilities.AddCapabilities);
            Assert.Equal(["ALL"], sc.Capabilities.DropCapabilities);
            Assert.Equal(1234, sc.RunAsUser.Value);
            Assert.Equal(99, sc.RunAsGroup.Value);
            Assert.True(sc.ReadonlyRootfs);
            Assert.True(sc.NoNewPrivs);
            Assert.Equal(SecurityProfile.Types.ProfileType.Localhost, sc.Seccomp.ProfileType);
            Assert.Equal("/seccomp/p.json", sc.Seccomp.LocalhostRef);
            Assert.Equal(new Mount { ContainerPath = "/data", HostPath = volume, Readonly = true, Propagation = MountPropagation.PropagationHostToContainer }, config.Mounts[0]);
            Assert.Equal(Path.Combine(volume, "nested/dir"), config.Mounts[1].HostPath);
            Assert.True(Directory.Exists(Path.Combine(volume, "nested/dir")));
            Assert.Equal("app/3.log", config.LogPath);
            Assert.Equal(3u, config.Metadata.Attempt);
            Assert.Equal("app", config.Labels[PodLabels.ContainerName]);
            Assert.Equal(pod.Metadata.Uid, config.Labels[PodLabels.PodUid]);
            Assert.Equal("3", config.Annotations[PodLabels.RestartCount]);
            Assert.True(config.Stdin && config.Tty);
            Assert.Equal("/work", config.WorkingDir);
        }
        finally
        {
            Directory.Delete(volume, recursive: true);
        }
    }

    [Fact]
    public async Task Guaranteed_oom_score_is_floored_at_zero_and_best_effort_gets_min_shares()
    {
        var guaranteed = TestPods.Container("g", "busybox");
        guaranteed.Resources = new V1ResourceRequirements { Limits = TestPods.Resources(cpu: "1", memory: "64Mi") };
        var pod = TestPods.Pod("p", guaranteed);
        var g = await new ContainerConfigBuilder(Options, new InMemoryObjects()).BuildAsync(new ContainerBuildContext(pod, guaranteed, 0), CancellationToken.None);
        Assert.Equal(0, g.Linux.Resources.OomScoreAdj);
        Assert.Equal(1024, g.Linux.Resources.CpuShares);

        var bestEffort = TestPods.Container("b", "busybox");
        var be = await new ContainerConfigBuilder(Options, new InMemoryObjects()).BuildAsync(new ContainerBuildContext(TestPods.Pod("p", bestEffort), bestEffort, 0), CancellationToken.None);
        Assert.Equal(1000, be.Linux.Resources.OomScoreAdj);
        Assert.Equal(2, be.Linux.Resources.CpuShares);
        Assert.Equal(0, be.Linux.Resources.CpuQuota);
    }

    [Fact]
    public async Task Run_as_non_root_with_uid_zero_or_a_root_image_is_refused()
    {
        var container = TestPods.Container("app", "busybox");
        container.SecurityContext = new V1SecurityContext { RunAsNonRoot = true, RunAsUser = 0 };
        var pod = TestPods.Pod("p", container);
        var builder = new ContainerConfigBuilder(Options, new InMemoryObjects());

        var zero = await Assert.ThrowsAsync<ContainerConfigException>(() => builder.BuildAsync(new ContainerBuildContext(pod, container, 0), CancellationToken.None));
        Assert.StartsWith("container's runAsUser breaks non-root policy", zero.Message, StringComparison.Ordinal);

        container.SecurityContext.RunAsUser = null;
        var image = await Assert.ThrowsAsync<ContainerConfigException>(() => builder.BuildAsync(new ContainerBuildContext(pod, container, 0) { ImageUid = 0 }, CancellationToken.None));
        Assert.StartsWith("container has runAsNonRoot and image will run as root", image.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sub_path_escaping_the_volume_is_refused()
    {
        var container = TestPods.Container("app", "busybox");
        container.VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/x", SubPath = "../etc" }];
        var pod = TestPods.Pod("p", container);

        var error = await Assert.ThrowsAsync<ContainerConfigException>(() => new ContainerConfigBuilder(Options, new InMemoryObjects())
            .BuildAsync(new ContainerBuildContext(pod, container, 0) { VolumePaths = new Dictionary<string, string> { ["data"] = "/tmp" } }, CancellationToken.None));
        Assert.Contains("..", error.Message, StringComparison.Ordinal);
    }
}
