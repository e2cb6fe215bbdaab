using k8s.Models;
using NodeAgent.Node.Volumes;
using NodeAgent.Testing.Common;

namespace NodeAgent.Node.Tests.Volumes;

public sealed class VolumeManagerTests : IDisposable
{
    private readonly TempDirectory _dir = new(TestIds.NewPrefix());
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => _dir.Dispose();

    private VolumeManager Manager(InMemoryObjects objects) => new(new NodeOptions { PodsRoot = _dir.Combine("pods") }, objects, new LinuxMounter(), _clock);

    [Fact]
    public async Task ConfigMap_items_are_written_atomically_with_modes_and_updates_swap_the_data_link()
    {
        var objects = new InMemoryObjects().Add(InMemoryObjects.ConfigMap("cfg", new() { ["a"] = "one", ["b"] = "two" }));
        var pod = TestPods.Pod("p", TestPods.Container("c", "busybox"));
        pod.Spec.Volumes = [new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg", Items = [new V1KeyToPath { Key = "a", Path = "dir/a.txt", Mode = Convert.ToInt32("600", 8) }, new V1KeyToPath { Key = "b", Path = "b.txt" }] } }];
        var manager = Manager(objects);

        var path = (await manager.SetUpAsync(pod, CancellationToken.None))["cfg"];

        Assert.Equal(Path.Combine(_dir.Path, "pods", pod.Metadata.Uid, "volumes", "kubernetes.io~configmap", "cfg"), path);
        Assert.Equal("one", File.ReadAllText(Path.Combine(path, "dir/a.txt")));
        Assert.Equal("two", File.ReadAllText(Path.Combine(path, "b.txt")));
        Assert.Equal((UnixFileMode)Convert.ToInt32("600", 8), File.GetUnixFileMode(Path.Combine(path, "..data", "dir/a.txt")));
        Assert.Equal((UnixFileMode)Convert.ToInt32("644", 8), File.GetUnixFileMode(Path.Combine(path, "..data", "b.txt")));
        Assert.Equal("..data/dir", new FileInfo(Path.Combine(path, "dir")).LinkTarget);
        var first = new FileInfo(Path.Combine(path, "..data")).LinkTarget;

        objects.Add(InMemoryObjects.ConfigMap("cfg", new() { ["a"] = "uno", ["b"] = "two" }));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await manager.SetUpAsync(pod, CancellationToken.None);

        Assert.Equal("uno", File.ReadAllText(Path.Combine(path, "dir/a.txt")));
        Assert.NotEqual(first, new FileInfo(Path.Combine(path, "..data")).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(path, first!)));

        manager.TearDown(pod.Metadata.Uid);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "pods", pod.Metadata.Uid)));
    }

    [Fact]
    public async Task A_projected_service_account_token_is_requested_bound_to_the_pod_and_refreshed_after_80_percent_of_its_life()
    {
        var objects = new InMemoryObjects { Time = _clock }.Add(InMemoryObjects.ConfigMap("kube-root-ca.crt", new() { ["ca.crt"] = "PEM" }));
        var pod = TestPods.Pod("tokened", TestPods.Container("c", "busybox"));
        pod.Spec.ServiceAccountName = "builder";
        pod.Spec.Volumes =
        [
            new V1Volume
            {
                Name = "kube-api-access-abcde",
                Projected = new V1ProjectedVolumeSource
                {
                    DefaultMode = Convert.ToInt32("644", 8),
                    Sources =
                    [
                        new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token", ExpirationSeconds = 3607, Audience = "vault" } },
                        new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                    ],
                },
            },
        ];
        var manager = Manager(objects);

        var path = (await manager.SetUpAsync(pod, CancellationToken.None))["kube-api-access-abcde"];

        Assert.Equal("token-builder-tokened-1", File.ReadAllText(Path.Combine(path, "token")));
        Assert.Equal("PEM", File.ReadAllText(Path.Combine(path, "ca.crt")));
        var request = Assert.Single(objects.TokenRequests);
        Assert.Equal(new ServiceAccountTokenRequest("default", "builder", "vault", 3607, "tokened", pod.Metadata.Uid), request);

        // Syncs before 80 % of the hour reuse the token; the first one after it writes a fresh one.
        _clock.Advance(TimeSpan.FromSeconds(2880));
        await manager.SetUpAsync(pod, CancellationToken.None);
        Assert.Single(objects.TokenRequests);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await manager.SetUpAsync(pod, CancellationToken.None);
        Assert.Equal(2, objects.TokenRequests.Count);
        Assert.Equal("token-builder-tokened-2", File.ReadAllText(Path.Combine(path, "token")));

        // A pod without an account gets kubelet's error; a torn-down pod's token is forgotten.
        manager.TearDown(pod.Metadata.Uid);
        pod.Spec.ServiceAccountName = null;
        var error = await Assert.ThrowsAsync<VolumeException>(() => manager.SetUpAsync(pod, CancellationToken.None));
        Assert.Contains("cannot get service account token: pod has no service account", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 3600, false)]
    [InlineData(2879, 3600, false)]
    [InlineData(2880, 3600, true)]
    [InlineData(3600, 3600, true)]
    [InlineData(86399, 172800, false)]
    [InlineData(86400, 172800, true)]
    public void Tokens_are_refreshed_at_80_percent_of_their_lifetime_or_after_24_hours(int ageSeconds, int lifetimeSeconds, bool refresh)
    {
        var fetched = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var token = new IssuedToken("t", fetched.AddSeconds(lifetimeSeconds));

        Assert.Equal(refresh, ServiceAccountTokenCache.RequiresRefresh(token, fetched, lifetimeSeconds, fetched.AddSeconds(ageSeconds)));
    }

    [Theory]
    [InlineData(1000L, null, null, 1000L)] // the pod's runAsUser for every container
    [InlineData(null, 1000L, 1000L, 1000L)] // each container names the same one
    [InlineData(1000L, 1001L, null, null)] // two users
    [InlineData(null, 1000L, null, null)] // one container names none
    [InlineData(null, null, null, null)]
    public void The_token_owner_is_the_runAsUser_all_containers_share(long? podUser, long? firstUser, long? secondUser, long? expected)
    {
        // kubelet's FsUserFrom: init, app and ephemeral containers, each with its own runAsUser or the pod's.
        var pod = TestPods.Pod("p", TestPods.Container("a", "busybox"));
        pod.Spec.InitContainers = [TestPods.Container("init", "busybox")];
        pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsUser = podUser };
        pod.Spec.InitContainers[0].SecurityContext = new V1SecurityContext { RunAsUser = firstUser };
        pod.Spec.Containers[0].SecurityContext = new V1SecurityContext { RunAsUser = secondUser };

        Assert.Equal(expected, VolumeManager.FsUser(pod));
    }

    [Fact]
    public async Task Secret_downward_api_and_projected_volumes_with_default_modes_and_optional_sources()
    {
        var objects = new InMemoryObjects().Add(InMemoryObjects.Secret("s", new() { ["token"] = "t0k" })).Add(InMemoryObjects.ConfigMap("cm", new() { ["k"] = "v" }));
        var pod = TestPods.Pod("down", TestPods.Container("c", "busybox"));
        pod.Metadata.Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "sec", Secret = new V1SecretVolumeSource { SecretName = "s", DefaultMode = Convert.ToInt32("400", 8) } },
            new V1Volume { Name = "opt", Secret = new V1SecretVolumeSource { SecretName = "absent", Optional = true } },
            new V1Volume { Name = "info", DownwardAPI = new V1DownwardAPIVolumeSource { Items = [new V1DownwardAPIVolumeFile { Path = "labels", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels" } }, new V1DownwardAPIVolumeFile { Path = "name", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } }] } },
            new V1Volume { Name = "all", Projected = new V1ProjectedVolumeSource { Sources = [new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "cm" } }, new V1VolumeProjection { Secret = new V1SecretProjection { Name = "s" } }] } },
        ];

        var paths = await Manager(objects).SetUpAsync(pod, CancellationToken.None);

        Assert.Equal("t0k", File.ReadAllText(Path.Combine(paths["sec"], "token")));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(Path.Combine(paths["sec"], "..data", "token")));
        Assert.Empty(Directory.EnumerateFiles(paths["opt"]));
        Assert.Equal("a=\"1\"\nb=\"2\"", File.ReadAllText(Path.Combine(paths["info"], "labels")));
        Assert.Equal("down", File.ReadAllText(Path.Combine(paths["info"], "name")));
        Assert.Equal("v", File.ReadAllText(Path.Combine(paths["all"], "k")));
        Assert.Equal("t0k", File.ReadAllText(Path.Combine(paths["all"], "token")));
    }

    [Fact]
    public async Task Path_traversal_in_items_and_missing_required_objects_are_refused()
    {
        var objects = new InMemoryObjects().Add(InMemoryObjects.ConfigMap("cfg", new() { ["a"] = "x" }));
        var pod = TestPods.Pod("p", TestPods.Container("c", "busybox"));
        pod.Spec.Volumes = [new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg", Items = [new V1KeyToPath { Key = "a", Path = "../../escape" }] } }];
        var traversal = await Assert.ThrowsAsync<VolumeException>(() => Manager(objects).SetUpAsync(pod, CancellationToken.None));
        Assert.Contains("..", traversal.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("pods", "escape")));

        pod.Spec.Volumes = [new V1Volume { Name = "s", Secret = new V1SecretVolumeSource { SecretName = "absent" } }];
        var missing = await Assert.ThrowsAsync<VolumeException>(() => Manager(objects).SetUpAsync(pod, CancellationToken.None));
        Assert.Equal("MountVolume.SetUp failed for volume \"s\" : secret \"absent\" not found", missing.Message);
    }

    [Fact]
    public async Task Empty_dir_on_memory_is_a_sized_tmpfs_that_teardown_unmounts()
    {
        var pod = TestPods.Pod("p", TestPods.Container("c", "busybox"));
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "disk", EmptyDir = new V1EmptyDirVolumeSource() },
            new V1Volume { Name = "mem", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("4Mi") } },
        ];
        var manager = Manager(new InMemoryObjects());
        var mounter = new LinuxMounter();

        var paths = await manager.SetUpAsync(pod, CancellationToken.None);
        try
        {
            Assert.Equal((UnixFileMode)Convert.ToInt32("777", 8), File.GetUnixFileMode(paths["disk"]));
            Assert.True(mounter.IsMountPoint(paths["mem"]));
            Assert.Contains(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(paths["mem"], StringComparison.Ordinal) && l.Contains("size=4096k", StringComparison.Ordinal));
            await manager.SetUpAsync(pod, CancellationToken.None);
        }
        finally
        {
            manager.TearDown(pod.Metadata.Uid);
        }

        Assert.False(mounter.IsMountPoint(paths["mem"]));
        Assert.False(Directory.Exists(paths["disk"]));
    }

    [Fact]
    public void Host_path_types_create_or_check()
    {
        var dir = _dir.Combine("hp-dir");
        HostPathCheck.Apply(dir, "DirectoryOrCreate");
        Assert.True(Directory.Exists(dir));
        var file = _dir.Combine("hp-file");
        HostPathCheck.Apply(file, "FileOrCreate");
        Assert.True(File.Exists(file));
        HostPathCheck.Apply(file, "File");
        HostPathCheck.Apply("/dev/null", "CharDevice");

        Assert.Equal($"hostPath type check failed: {file} is not a directory", Assert.Throws<VolumeException>(() => HostPathCheck.Apply(file, "Directory")).Message);
        Assert.Equal($"hostPath type check failed: {dir} is not a file", Assert.Throws<VolumeException>(() => HostPathCheck.Apply(dir, "File")).Message);
        Assert.Contains("does not exist", Assert.Throws<VolumeException>(() => HostPathCheck.Apply(_dir.Combine("none"), "Socket")).Message, StringComparison.Ordinal);
        Assert.Contains("is not a socket", Assert.Throws<VolumeException>(() => HostPathCheck.Apply("/dev/null", "Socket")).Message, StringComparison.Ordinal);
    }
}
