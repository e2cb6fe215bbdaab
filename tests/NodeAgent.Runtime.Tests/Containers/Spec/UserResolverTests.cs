using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Containers.Spec;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;
using NodeAgent.Testing.Common;

namespace NodeAgent.Runtime.Tests.Containers.Spec;

public sealed class UserResolverTests : IDisposable
{
    private readonly TempDirectory _temp = new(TestIds.NewPrefix());

    private string Rootfs => SpecFixtures.WriteRootfs(_temp.Combine("rootfs"), SpecFixtures.Passwd, SpecFixtures.Group);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(null, 0u, 0u, new uint[] { 0 })]
    [InlineData("", 0u, 0u, new uint[] { 0 })]
    [InlineData("33", 33u, 33u, new uint[] { 33, 44 })]
    [InlineData("1234", 1234u, 0u, new uint[] { 0 })]
    [InlineData("1234:77", 1234u, 77u, new uint[] { 77 })]
    [InlineData("www", 33u, 33u, new uint[] { 33, 44 })]
    [InlineData("www:audio", 33u, 29u, new uint[] { 29, 44 })]
    [InlineData("33:nogroup", 33u, 65534u, new uint[] { 65534, 44 })]
    public async Task Image_user_forms_resolve_against_the_rootfs(string? imageUser, uint uid, uint gid, uint[] groups)
    {
        var user = await UserResolver.ResolveAsync(Rootfs, null, imageUser, CancellationToken.None);
        Assert.Equal(new OciUser(uid, gid) { AdditionalGids = groups }, user, UserComparer.Instance);
    }

    [Fact]
    public async Task Run_as_user_and_group_override_the_image_user()
    {
        var security = new LinuxContainerSecurityContext { RunAsUser = new Int64Value { Value = 33 }, RunAsGroup = new Int64Value { Value = 2000 }, SupplementalGroups = { 3000, 44 } };
        var user = await UserResolver.ResolveAsync(Rootfs, security, "nobody", CancellationToken.None);
        Assert.Equal((33u, 2000u), (user.Uid, user.Gid));
        Assert.Equal([2000u, 44u, 3000u], user.AdditionalGids);
    }

    [Fact]
    public async Task Run_as_username_resolves_by_name_and_strict_policy_skips_etc_group()
    {
        var security = new LinuxContainerSecurityContext { RunAsUsername = "www", SupplementalGroups = { 3000 }, SupplementalGroupsPolicy = SupplementalGroupsPolicy.Strict };
        var user = await UserResolver.ResolveAsync(Rootfs, security, null, CancellationToken.None);
        Assert.Equal((33u, 33u), (user.Uid, user.Gid));
        Assert.Equal([33u, 3000u], user.AdditionalGids);
    }

    [Theory]
    [InlineData("ghost", "user \"ghost\" not found")]
    [InlineData("www:ghosts", "group \"ghosts\" not found")]
    public async Task Unknown_names_are_invalid_with_a_clear_message(string imageUser, string message)
    {
        var e = await Assert.ThrowsAsync<RuntimeException>(() => UserResolver.ResolveAsync(Rootfs, null, imageUser, CancellationToken.None));
        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_without_etc_passwd_is_invalid()
    {
        var rootfs = Directory.CreateDirectory(_temp.Combine("empty")).FullName;
        var e = await Assert.ThrowsAsync<RuntimeException>(() => UserResolver.ResolveAsync(rootfs, null, "www", CancellationToken.None));
        Assert.Contains("no /etc/passwd", e.Message, StringComparison.Ordinal);
        Assert.Equal(0u, (await UserResolver.ResolveAsync(rootfs, null, "0", CancellationToken.None)).Uid);
    }

    [Fact]
    public async Task Absolute_symlinked_etc_passwd_is_resolved_inside_the_rootfs_not_on_the_host()
    {
        // The host file the link names exists outside the rootfs and defines "evil"; the rootfs copy at the same path does not.
        var hostFile = _temp.Combine("host-passwd");
        await File.WriteAllTextAsync(hostFile, "evil:x:4242:4242::/:/bin/sh\n");
        var rootfs = Directory.CreateDirectory(_temp.Combine("escape")).FullName;
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "etc", "passwd"), hostFile);

        var e = await Assert.ThrowsAsync<RuntimeException>(() => UserResolver.ResolveAsync(rootfs, null, "evil", CancellationToken.None));
        Assert.Equal(RuntimeErrorKind.Invalid, e.Kind);
        Assert.Equal(rootfs + hostFile, RootfsFile.Resolve(rootfs, "/etc/passwd"));
    }

    [Fact]
    public async Task Relative_symlink_climbing_out_of_the_rootfs_is_clamped_at_its_root()
    {
        await File.WriteAllTextAsync(_temp.Combine("passwd"), "evil:x:4242:4242::/:/bin/sh\n");
        var rootfs = Directory.CreateDirectory(_temp.Combine("climb")).FullName;
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "etc", "passwd"), "../../../../../../passwd");

        Assert.Equal(Path.Combine(rootfs, "passwd"), RootfsFile.Resolve(rootfs, "/etc/passwd"));
        Assert.Null(await RootfsFile.ReadTextAsync(rootfs, "/etc/passwd", CancellationToken.None));
        await Assert.ThrowsAsync<RuntimeException>(() => UserResolver.ResolveAsync(rootfs, null, "evil", CancellationToken.None));
    }

    [Fact]
    public async Task Symlinks_within_the_rootfs_are_followed()
    {
        var rootfs = Directory.CreateDirectory(_temp.Combine("linked")).FullName;
        Directory.CreateDirectory(Path.Combine(rootfs, "usr", "lib"));
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        await File.WriteAllTextAsync(Path.Combine(rootfs, "usr", "lib", "passwd"), "app:x:1000:1000::/:/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(rootfs, "etc", "passwd"), "/usr/lib/passwd");

        var user = await UserResolver.ResolveAsync(rootfs, null, "app", CancellationToken.None);
        Assert.Equal((1000u, 1000u), (user.Uid, user.Gid));
    }

    [Fact]
    public void Symlink_loops_are_invalid()
    {
        var rootfs = Directory.CreateDirectory(_temp.Combine("loop")).FullName;
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "etc", "passwd"), "/etc/passwd");
        var e = Assert.Throws<RuntimeException>(() => RootfsFile.Resolve(rootfs, "/etc/passwd"));
        Assert.Contains("too many symlinks", e.Message, StringComparison.Ordinal);
    }

    private sealed class UserComparer : IEqualityComparer<OciUser>
    {
        public static UserComparer Instance { get; } = new();

        public bool Equals(OciUser? x, OciUser? y)
            => x is not null && y is not null && x.Uid == y.Uid && x.Gid == y.Gid && (x.AdditionalGids ?? []).SequenceEqual(y.AdditionalGids ?? []);

        public int GetHashCode(OciUser obj) => HashCode.Combine(obj.Uid, obj.Gid);
    }
}
