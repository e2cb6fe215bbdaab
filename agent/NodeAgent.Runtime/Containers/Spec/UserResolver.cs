using System.Globalization;
using NodeAgent.Cri.V1;
using NodeAgent.Runtime.Errors;
using NodeAgent.Runtime.Oci.Spec;

namespace NodeAgent.Runtime.Containers.Spec;

/// <summary>
/// The process user: run_as_user / run_as_username / run_as_group from the security context, else the
/// image's User ("uid", "uid:gid", "name", "name:group"); names are looked up in the rootfs's
/// /etc/passwd and /etc/group (read inside the rootfs only). additionalGids = the primary gid, the
/// groups that list the user in /etc/group (unless the policy is Strict) and supplemental_groups.
/// </summary>
public static class UserResolver
{
    public static async Task<OciUser> ResolveAsync(string rootfs, LinuxContainerSecurityContext? security, string? imageUser, CancellationToken cancellationToken)
    {
        var database = await UserDatabase.LoadAsync(rootfs, cancellationToken).ConfigureAwait(false);
        string? userPart;
        string? groupPart = null;
        if (security?.RunAsUser is { } runAsUser)
        {
            userPart = runAsUser.Value.ToString(CultureInfo.InvariantCulture);
        }
        else if (!string.IsNullOrEmpty(security?.RunAsUsername))
        {
            userPart = security.RunAsUsername;
        }
        else
        {
            (userPart, groupPart) = SplitImageUser(imageUser);
        }

        var (uid, gid, name) = ResolveUser(userPart, database);
        if (security?.RunAsGroup is { } runAsGroup)
        {
            gid = ToId(runAsGroup.Value, "run_as_group");
        }
        else if (groupPart is not null)
        {
            gid = ResolveGroup(groupPart, database);
        }

        var additional = new List<uint> { gid };
        if (security?.SupplementalGroupsPolicy != SupplementalGroupsPolicy.Strict && name is not null)
        {
            additional.AddRange(database.Groups.Where(g => g.Members.Contains(name, StringComparer.Ordinal)).Select(g => g.Gid));
        }

        additional.AddRange((security?.SupplementalGroups ?? []).Select(g => ToId(g, "supplemental_groups")));
        return new OciUser(uid, gid) { AdditionalGids = [.. additional.Distinct()] };
    }

    /// <summary>Splits an image User value; empty means root.</summary>
    public static (string? User, string? Group) SplitImageUser(string? user)
    {
        if (string.IsNullOrEmpty(user))
        {
            return (null, null);
        }

        var colon = user.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (user, null) : (user[..colon], user[(colon + 1)..]);
    }

    private static (uint Uid, uint Gid, string? Name) ResolveUser(string? user, UserDatabase database)
    {
        if (string.IsNullOrEmpty(user))
        {
            user = "0";
        }

        if (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            // A numeric uid without an entry runs with gid 0, as containerd and Docker do.
            var entry = database.Users.FirstOrDefault(u => u.Uid == uid);
            return (uid, entry?.Gid ?? 0, entry?.Name);
        }

        if (!database.HasPasswd)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"user \"{user}\" cannot be resolved: the image has no /etc/passwd");
        }

        var named = database.Users.FirstOrDefault(u => u.Name == user)
            ?? throw new RuntimeException(RuntimeErrorKind.Invalid, $"user \"{user}\" not found in the image's /etc/passwd");
        return (named.Uid, named.Gid, named.Name);
    }

    private static uint ResolveGroup(string group, UserDatabase database)
    {
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return gid;
        }

        if (!database.HasGroup)
        {
            throw new RuntimeException(RuntimeErrorKind.Invalid, $"group \"{group}\" cannot be resolved: the image has no /etc/group");
        }

        return database.Groups.FirstOrDefault(g => g.Name == group)?.Gid
            ?? throw new RuntimeException(RuntimeErrorKind.Invalid, $"group \"{group}\" not found in the image's /etc/group");
    }

    private static uint ToId(long value, string field)
        => value is >= 0 and <= uint.MaxValue
            ? (uint)value
            : throw new RuntimeException(RuntimeErrorKind.Invalid, $"{field} {value} is not a valid id");
}

/// <summary>The parsed /etc/passwd and /etc/group of a rootfs (absent files are empty).</summary>
public sealed record UserDatabase(bool HasPasswd, IReadOnlyList<PasswdEntry> Users, bool HasGroup, IReadOnlyList<GroupEntry> Groups)
{
    public static async Task<UserDatabase> LoadAsync(string rootfs, CancellationToken cancellationToken)
    {
        var passwd = await RootfsFile.ReadTextAsync(rootfs, "/etc/passwd", cancellationToken).ConfigureAwait(false);
        var group = await RootfsFile.ReadTextAsync(rootfs, "/etc/group", cancellationToken).ConfigureAwait(false);
        return new UserDatabase(passwd is not null, ParsePasswd(passwd ?? string.Empty), group is not null, ParseGroup(group ?? string.Empty));
    }

    /// <summary>name:password:uid:gid:gecos:home:shell; malformed lines are skipped like libc does.</summary>
    public static IReadOnlyList<PasswdEntry> ParsePasswd(string text)
        => [.. Lines(text).Select(l => l.Split(':')).Where(f => f.Length >= 4 && IsId(f[2]) && IsId(f[3]))
            .Select(f => new PasswdEntry(f[0], Id(f[2]), Id(f[3])))];

    /// <summary>name:password:gid:member,member.</summary>
    public static IReadOnlyList<GroupEntry> ParseGroup(string text)
        => [.. Lines(text).Select(l => l.Split(':')).Where(f => f.Length >= 3 && IsId(f[2]))
            .Select(f => new GroupEntry(f[0], Id(f[2]), f.Length > 3 ? f[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : []))];

    private static IEnumerable<string> Lines(string text)
        => text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

    private static bool IsId(string value) => uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static uint Id(string value) => uint.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
}

public sealed record PasswdEntry(string Name, uint Uid, uint Gid);

public sealed record GroupEntry(string Name, uint Gid, IReadOnlyList<string> Members);
