using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

public sealed class SecurityTests
{
    [Fact]
    public void Nofile_is_clamped_to_the_current_hard_limit()
    {
        var limits = Rlimits.Build(new FakeSpecHost());
        Assert.Equal([new OciRlimit("RLIMIT_NOFILE", 20000, 20000)], limits);
    }

    [Fact]
    public void Rlimits_below_the_hard_limit_or_of_unknown_limit_are_kept()
    {
        var host = new FakeSpecHost { HardLimits = new Dictionary<string, ulong> { ["RLIMIT_NOFILE"] = 2_000_000, ["RLIMIT_NPROC"] = 100 } };
        var limits = Rlimits.Clamp([new("RLIMIT_NOFILE", 1024, 1048576), new("RLIMIT_NPROC", 500, 1000), new("RLIMIT_CORE", 0, 0)], host);
        Assert.Equal([new OciRlimit("RLIMIT_NOFILE", 1024, 1048576), new OciRlimit("RLIMIT_NPROC", 100, 100), new OciRlimit("RLIMIT_CORE", 0, 0)], limits);
    }

    [Fact]
    public void Real_host_hard_limit_is_read_with_getrlimit()
    {
        var hard = SpecHost.Instance.HardLimit("RLIMIT_NOFILE");
        Assert.NotNull(hard);
        Assert.True(Rlimits.Build(SpecHost.Instance).Single().Hard <= hard);
    }

    [Theory]
    [InlineData(-997L, 0, 0)]
    [InlineData(-1000L, 0, 0)]
    [InlineData(500L, 0, 500)]
    [InlineData(100L, 300, 300)]
    [InlineData(0L, -500, 0)]
    public void Oom_score_adj_is_never_negative_nor_below_the_agents_own(long requested, int own, int expected)
        => Assert.Equal(expected, ResourcesBuilder.OomScoreAdj(new LinuxContainerResources { OomScoreAdj = requested }, new FakeSpecHost { OwnOomScoreAdj = own }));

    [Fact]
    public void Capabilities_all_drop_all_and_names_without_prefix()
    {
        var all = Capabilities.Build(new Capability { AddCapabilities = { "ALL" }, DropCapabilities = { "sys_admin" } }, privileged: false, Capabilities.All);
        Assert.Equal(Capabilities.All.Count - 1, all.Bounding!.Count);
        Assert.DoesNotContain("CAP_SYS_ADMIN", all.Bounding);
        Assert.Null(all.Inheritable);

        var none = Capabilities.Build(new Capability { DropCapabilities = { "ALL" } }, privileged: false, Capabilities.All);
        Assert.Empty(none.Effective!);

        Assert.Equal(Capabilities.Default, Capabilities.Build(null, privileged: false, Capabilities.All).Permitted);
        Assert.Equal(Capabilities.All, Capabilities.Build(new Capability { DropCapabilities = { "ALL" } }, privileged: true, Capabilities.All).Permitted);
    }

    [Fact]
    public void All_means_all_the_agent_holds_and_a_named_missing_capability_is_refused()
    {
        var host = new FakeSpecHost().BoundingCapabilities;
        Assert.DoesNotContain("CAP_SYS_RESOURCE", Capabilities.Build(null, privileged: true, host).Bounding!);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", Capabilities.Build(new Capability { AddCapabilities = { "ALL" } }, privileged: false, host).Bounding!);
        var e = Assert.Throws<RuntimeException>(() => Capabilities.Build(new Capability { AddCapabilities = { "SYS_RESOURCE" } }, privileged: false, host));
        Assert.Equal(RuntimeErrorKind.FailedPrecondition, e.Kind);
    }

    [Fact]
    public void Real_host_bounding_set_is_read_from_proc()
        => Assert.Contains("CAP_CHOWN", SpecHost.Instance.BoundingCapabilities);

    [Fact]
    public void Unknown_capability_is_invalid()
        => Assert.Equal(RuntimeErrorKind.Invalid, Assert.Throws<RuntimeException>(() => Capabilities.Build(new Capability { AddCapabilities = { "CAP_FLY" } }, false, Capabilities.All)).Kind);

    [Fact]
    public async Task Seccomp_localhost_with_a_missing_file_is_invalid()
    {
        var security = new LinuxContainerSecurityContext { Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Localhost, LocalhostRef = "/var/lib/kubelet/seccomp/nope-" + TestIds.NewPrefix() + ".json" } };
        var e = await Assert.ThrowsAsync<RuntimeException>(() => SeccompProfiles.ResolveAsync(security, Capabilities.Default, CancellationToken.None));
        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seccomp_localhost_file_is_loaded()
    {
        using var temp = new TempDirectory(TestIds.NewPrefix());
        var path = temp.Combine("profile.json");
        await File.WriteAllTextAsync(path, """{"defaultAction":"SCMP_ACT_LOG","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}""");
        var security = new LinuxContainerSecurityContext { Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Localhost, LocalhostRef = path } };
        var profile = await SeccompProfiles.ResolveAsync(security, Capabilities.Default, CancellationToken.None);
        Assert.Equal("SCMP_ACT_LOG", profile!.DefaultAction);
        Assert.Equal(13u, Assert.Single(profile.Syscalls!).ErrnoRet);

        await File.WriteAllTextAsync(path, "{not json");
        Assert.Equal(RuntimeErrorKind.Invalid, (await Assert.ThrowsAsync<RuntimeException>(() => SeccompProfiles.ResolveAsync(security, Capabilities.Default, CancellationToken.None))).Kind);
    }

    [Fact]
    public void Runtime_default_seccomp_is_an_allow_list_whose_extras_follow_the_capabilities()
    {
        var plain = SeccompProfiles.RuntimeDefault(Capabilities.Default);
        Assert.Equal("SCMP_ACT_ERRNO", plain.DefaultAction);
        Assert.Equal(1u, plain.DefaultErrnoRet);
        Assert.Contains("SCMP_ARCH_X86_64", plain.Architectures ?? ["SCMP_ARCH_X86_64"]);
        var allowed = plain.Syscalls!.Where(s => s.Action == "SCMP_ACT_ALLOW" && s.Args is null).SelectMany(s => s.Names).ToHashSet();
        Assert.Contains("execve", allowed);
        Assert.Contains("chroot", allowed); // CAP_SYS_CHROOT is a default capability
        Assert.DoesNotContain("mount", allowed);
        Assert.DoesNotContain("ptrace", allowed);
        Assert.Contains(plain.Syscalls!, s => s.Names.SequenceEqual(["clone3"]) && s.ErrnoRet == 38);

        var admin = SeccompProfiles.RuntimeDefault([.. Capabilities.Default, "CAP_SYS_ADMIN"]);
        Assert.Contains(admin.Syscalls!, s => s.Names.Contains("mount") && s.Action == "SCMP_ACT_ALLOW");
        Assert.DoesNotContain(admin.Syscalls!, s => s.Names.SequenceEqual(["clone3"]) && s.ErrnoRet == 38);
    }

    [Theory]
    [InlineData(null, false, false)]
    [InlineData(SecurityProfile.Types.ProfileType.Unconfined, false, false)]
    [InlineData(SecurityProfile.Types.ProfileType.RuntimeDefault, false, true)]
    [InlineData(SecurityProfile.Types.ProfileType.RuntimeDefault, true, false)]
    public async Task Seccomp_selection(SecurityProfile.Types.ProfileType? type, bool privileged, bool expectProfile)
    {
        var security = new LinuxContainerSecurityContext { Privileged = privileged, Seccomp = type is { } t ? new SecurityProfile { ProfileType = t } : null };
        var profile = await SeccompProfiles.ResolveAsync(security, Capabilities.Default, CancellationToken.None);
        Assert.Equal(expectProfile, profile is not null);
    }

    [Fact]
    public async Task Deprecated_seccomp_profile_path_is_honoured_when_the_field_is_absent()
    {
#pragma warning disable CS0612 // older kubelets still send the legacy string
        var runtimeDefault = new LinuxContainerSecurityContext { SeccompProfilePath = "runtime/default" };
        var localhost = new LinuxContainerSecurityContext { SeccompProfilePath = "localhost//nonexistent/" + TestIds.NewPrefix() + ".json" };
        var unconfined = new LinuxContainerSecurityContext { SeccompProfilePath = "unconfined" };
#pragma warning restore CS0612
        Assert.NotNull(await SeccompProfiles.ResolveAsync(runtimeDefault, Capabilities.Default, CancellationToken.None));
        Assert.Null(await SeccompProfiles.ResolveAsync(unconfined, Capabilities.Default, CancellationToken.None));
        var e = await Assert.ThrowsAsync<RuntimeException>(() => SeccompProfiles.ResolveAsync(localhost, Capabilities.Default, CancellationToken.None));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Masked_and_readonly_paths_default_unless_given_and_vanish_when_privileged()
    {
        Assert.Equal((MaskedPaths.DefaultMasked, MaskedPaths.DefaultReadonly), MaskedPaths.Build([], [], privileged: false));
        var (masked, readOnly) = MaskedPaths.Build(["/proc/x"], ["/proc/y"], privileged: false);
        Assert.Equal(["/proc/x"], masked);
        Assert.Equal(["/proc/y"], readOnly);
        Assert.Equal((null, null), MaskedPaths.Build(["/proc/x"], [], privileged: true));
    }

    [Fact]
    public void Only_namespaced_sysctls_for_namespaces_the_pod_owns()
    {
        Assert.Equal(new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1" }, Sysctls.Validate(new Dictionary<string, string> { ["net/ipv4/ip_forward"] = "1" }, false, false));
        Assert.Throws<RuntimeException>(() => Sysctls.Validate(new Dictionary<string, string> { ["vm.swappiness"] = "1" }, false, false));
        Assert.Throws<RuntimeException>(() => Sysctls.Validate(new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1" }, hostNetwork: true, false));
        Assert.Throws<RuntimeException>(() => Sysctls.Validate(new Dictionary<string, string> { ["kernel.shmmax"] = "1" }, false, hostIpc: true));
    }
}
