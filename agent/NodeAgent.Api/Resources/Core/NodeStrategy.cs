using k8s.Models;

namespace NodeAgent.Api.Resources.Core;

/// <summary>
/// core/v1 Node (cluster-scoped): allocatable defaulting, taint and podCIDR validation, the selectable
/// <c>spec.unschedulable</c>, and the Table with upstream's STATUS and ROLES text.
/// </summary>
public sealed class NodeStrategy : ResourceStrategy<V1Node>
{
    private const string RoleLabelPrefix = "node-role.kubernetes.io/";
    private const string LegacyRoleLabel = "kubernetes.io/role";
    private static readonly string[] TaintEffects = ["NoExecute", "NoSchedule", "PreferNoSchedule"];

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Status", "string", "The status of the node"),
        new("Roles", "string", "The roles of the node"),
        AgeColumn,
        new("Version", "string", "Kubelet Version reported by the node."),
        new("Internal-IP", "string", "List of addresses reachable to the node.", Priority: 1),
        new("External-IP", "string", "List of addresses reachable to the node.", Priority: 1),
        new("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", Priority: 1),
        new("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", Priority: 1),
        new("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", Priority: 1),
    ];

    private const string PodCidrChange = "node updates may not change podCIDR except from \"\" to valid";

    /// <summary>
    /// upstream <c>SetDefaults_NodeStatus</c> (allocatable defaults to capacity) and the v1 conversion that keeps
    /// <c>podCIDR</c> and <c>podCIDRs[0]</c> the same.
    /// </summary>
    public override void ApplyDefaults(V1Node obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Spec is { } spec)
        {
            if (spec.PodCIDRs is null or { Count: 0 } && !string.IsNullOrEmpty(spec.PodCIDR))
            {
                spec.PodCIDRs = [spec.PodCIDR];
            }
            else if (string.IsNullOrEmpty(spec.PodCIDR) && spec.PodCIDRs is { Count: > 0 } cidrs)
            {
                spec.PodCIDR = cidrs[0];
            }
        }

        if (obj.Status is { Allocatable: null, Capacity: not null } status)
        {
            status.Allocatable = new Dictionary<string, ResourceQuantity>(status.Capacity);
        }
    }

    public override IReadOnlyList<FieldError> ValidateCreate(V1Node obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        var taints = obj.Spec?.Taints ?? [];
        var seen = new HashSet<(string?, string?)>();
        for (var i = 0; i < taints.Count; i++)
        {
            var path = CoreValidation.Inv($"spec.taints[{i}]");
            var key = taints[i].Key ?? "";
            foreach (var message in CoreValidation.QualifiedName(key))
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, path + ".key", message, key));
            }

            if (!string.IsNullOrEmpty(taints[i].Value))
            {
                foreach (var message in CoreValidation.LabelValue(taints[i].Value))
                {
                    errors.Add(new FieldError(FieldErrorType.Invalid, path + ".value", message, taints[i].Value));
                }
            }

            var effect = taints[i].Effect ?? "";
            if (effect.Length == 0)
            {
                errors.Add(new FieldError(FieldErrorType.Required, path + ".effect"));
            }
            else if (!TaintEffects.Contains(effect))
            {
                errors.Add(new FieldError(FieldErrorType.NotSupported, path + ".effect", CoreValidation.SupportedValues(TaintEffects), effect));
            }

            if (!seen.Add((key, effect)))
            {
                errors.Add(new FieldError(FieldErrorType.Duplicate, path, "taints must be unique by key and effect pair", BadValue: new GoValue(CoreValidation.Inv(
                    $"core.Taint{{Key:\"{key}\", Value:\"{taints[i].Value}\", Effect:\"{effect}\", TimeAdded:(*v1.Time)(nil)}}"))));
            }
        }

        var cidrs = obj.Spec?.PodCIDRs ?? [];
        var families = new HashSet<System.Net.Sockets.AddressFamily>();
        var allValid = true;
        for (var i = 0; i < cidrs.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(cidrs[i], out var network))
            {
                allValid = false;
                errors.Add(new FieldError(FieldErrorType.Invalid, CoreValidation.Inv($"spec.podCIDRs[{i}]"), "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)", cidrs[i]));
            }
            else
            {
                families.Add(network.BaseAddress.AddressFamily);
            }
        }

        if (allValid && cidrs.Count > 1 && (cidrs.Count > 2 || families.Count != cidrs.Count))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.podCIDRs", "may specify no more than one CIDR for each IP family", GoValue.StringSlice(cidrs)));
        }

        return errors;
    }

    /// <summary>upstream <c>ValidateNodeUpdate</c>: podCIDRs and providerID are set once.</summary>
    public override IReadOnlyList<FieldError> ValidateUpdate(V1Node obj, V1Node old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var errors = ValidateCreate(obj).ToList();
        var oldCidrs = old.Spec?.PodCIDRs ?? [];
        var cidrs = obj.Spec?.PodCIDRs ?? [];
        if (oldCidrs.Count > 0)
        {
            if (oldCidrs.Count != cidrs.Count)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.podCIDRs", PodCidrChange));
            }
            else
            {
                errors.AddRange(oldCidrs.Where((cidr, i) => cidr != cidrs[i]).Select(_ => new FieldError(FieldErrorType.Forbidden, "spec.podCIDRs", PodCidrChange)));
            }
        }

        if (!string.IsNullOrEmpty(old.Spec?.ProviderID) && old.Spec.ProviderID != obj.Spec?.ProviderID)
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.providerID", "node updates may not change providerID except from \"\" to valid"));
        }

        return errors;
    }

    public override IEnumerable<KeyValuePair<string, string>> ExtraSelectableFields(V1Node obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        yield return new("spec.unschedulable", obj.Spec?.Unschedulable == true ? "true" : "false");
    }

    public override IReadOnlyList<object?> Cells(V1Node obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var info = obj.Status?.NodeInfo;
        return
        [
            obj.Metadata?.Name,
            Status(obj),
            Roles(obj),
            TableFormat.Age(obj.Metadata?.CreationTimestamp, now),
            info?.KubeletVersion ?? "",
            Address(obj, "InternalIP"),
            Address(obj, "ExternalIP"),
            OrUnknown(info?.OsImage),
            OrUnknown(info?.KernelVersion),
            OrUnknown(info?.ContainerRuntimeVersion),
        ];
    }

    /// <summary>upstream: <c>Ready</c>, <c>NotReady</c> or <c>Unknown</c> from the Ready condition, plus <c>,SchedulingDisabled</c>.</summary>
    public static string Status(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var ready = node.Status?.Conditions?.LastOrDefault(c => c.Type == "Ready");
        var status = ready is null ? "Unknown" : ready.Status == "True" ? "Ready" : "NotReady";
        return node.Spec?.Unschedulable == true ? status + ",SchedulingDisabled" : status;
    }

    /// <summary>upstream <c>findNodeRoles</c>: sorted roles from node-role.kubernetes.io/ROLE labels and kubernetes.io/role.</summary>
    public static string Roles(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in node.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            if (key.StartsWith(RoleLabelPrefix, StringComparison.Ordinal))
            {
                if (key.Length > RoleLabelPrefix.Length)
                {
                    roles.Add(key[RoleLabelPrefix.Length..]);
                }
            }
            else if (key == LegacyRoleLabel && !string.IsNullOrEmpty(value))
            {
                roles.Add(value);
            }
        }

        return roles.Count == 0 ? "<none>" : string.Join(",", roles);
    }

    private static string Address(V1Node node, string type) =>
        node.Status?.Addresses?.FirstOrDefault(a => a.Type == type)?.Address ?? "<none>";

    private static string OrUnknown(string? value) => string.IsNullOrEmpty(value) ? "<unknown>" : value;
}
