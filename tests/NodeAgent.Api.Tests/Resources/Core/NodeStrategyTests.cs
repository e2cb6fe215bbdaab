using k8s.Models;
using NodeAgent.Api.Resources;
using NodeAgent.Api.Resources.Core;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Core;

public sealed class NodeStrategyTests
{
    private readonly NodeStrategy _strategy = new();

    public static TheoryData<string, string, string, string> StatusAndRoles => new()
    {
        { "ready", "status: {conditions: [{type: Ready, status: 'True'}]}", "Ready", "<none>" },
        { "not ready", "status: {conditions: [{type: Ready, status: 'False'}]}", "NotReady", "<none>" },
        { "unknown ready", "status: {conditions: [{type: Ready, status: Unknown}]}", "NotReady", "<none>" },
        { "no conditions", "status: {}", "Unknown", "<none>" },
        { "cordoned", "spec: {unschedulable: true}\nstatus: {conditions: [{type: Ready, status: 'True'}]}", "Ready,SchedulingDisabled", "<none>" },
        { "cordoned without conditions", "spec: {unschedulable: true}", "Unknown,SchedulingDisabled", "<none>" },
        {
            "roles from labels, sorted",
            "metadata: {name: n1, labels: {node-role.kubernetes.io/worker: '', node-role.kubernetes.io/control-plane: 'true', kubernetes.io/role: master, node-role.kubernetes.io/: x}}",
            "Unknown", "control-plane,master,worker"
        },
    };

    [Theory]
    [MemberData(nameof(StatusAndRoles))]
    public void STATUS_and_ROLES_read_as_upstream_prints_them(string why, string body, string status, string roles)
    {
        var node = Yaml<V1Node>(body.StartsWith("metadata", StringComparison.Ordinal) ? body : "metadata: {name: n1}\n" + body);
        var cells = _strategy.Cells(node, Now);
        Assert.True(status == (string?)cells[1] && roles == (string?)cells[2], $"{why}: {cells[1]} {cells[2]}");
    }

    [Fact]
    public void Wide_cells_show_addresses_and_system_info()
    {
        var node = Yaml<V1Node>("""
            metadata: {name: n1}
            status:
              addresses: [{type: Hostname, address: n1}, {type: InternalIP, address: 192.168.1.10}]
              nodeInfo: {kubeletVersion: v1.32.0, osImage: Debian GNU/Linux 13 (trixie), kernelVersion: 6.12.0, containerRuntimeVersion: 'nodeagent://0.1.0', architecture: amd64, bootID: b, machineID: m, operatingSystem: linux, systemUUID: u, kubeProxyVersion: ''}
            """);
        node.Metadata.CreationTimestamp = Now.UtcDateTime.AddHours(-5);
        Assert.Equal(
            ["Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"],
            _strategy.Columns.Select(c => c.Name));
        Assert.Equal(
            ["n1", "Unknown", "<none>", "5h", "v1.32.0", "192.168.1.10", "<none>", "Debian GNU/Linux 13 (trixie)", "6.12.0", "nodeagent://0.1.0"],
            _strategy.Cells(node, Now));
        Assert.Equal(["<unknown>", "<unknown>", "<unknown>"], _strategy.Cells(Yaml<V1Node>("metadata: {name: n2}"), Now).Skip(7));
    }

    [Fact]
    public void Spec_unschedulable_is_selectable()
    {
        var fields = ((IResourceStrategy)_strategy).SelectableFields(Yaml<V1Node>("metadata: {name: n1}\nspec: {unschedulable: true}"));
        Assert.Equal("true", fields["spec.unschedulable"]);
        Assert.Equal("false", ((IResourceStrategy)_strategy).SelectableFields(Yaml<V1Node>("metadata: {name: n1}"))["spec.unschedulable"]);
    }

    [Fact]
    public void Allocatable_defaults_to_capacity()
    {
        var node = Yaml<V1Node>("metadata: {name: n1}\nstatus: {capacity: {cpu: '4', memory: 8Gi}}");
        _strategy.ApplyDefaults(node);
        Assert.Equal("8Gi", node.Status.Allocatable["memory"].ToString());
    }

    [Fact]
    public void Taints_need_a_known_effect_and_are_unique_by_key_and_effect()
    {
        var node = Yaml<V1Node>("metadata: {name: n1}\nspec: {taints: [{key: a, effect: NoSchedule}, {key: a, value: x, effect: NoSchedule}, {key: b, effect: Sometimes}, {key: c}]}");
        Assert.Equal(
            [
                "spec.taints[1]|FieldValueDuplicate|Duplicate value: core.Taint{Key:\"a\", Value:\"x\", Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair",
                "spec.taints[2].effect|FieldValueNotSupported|Unsupported value: \"Sometimes\": supported values: \"NoExecute\", \"NoSchedule\", \"PreferNoSchedule\"",
                "spec.taints[3].effect|FieldValueRequired|Required value",
            ],
            Lines(Create(_strategy, node)));
    }

    [Fact]
    public void PodCIDR_and_providerID_are_set_once()
    {
        var old = Yaml<V1Node>("metadata: {name: n1}\nspec: {podCIDR: 10.42.0.0/24, providerID: 'nodeagent://n1'}");
        _strategy.ApplyDefaults(old);
        Assert.Equal(["10.42.0.0/24"], old.Spec.PodCIDRs);

        var moved = Yaml<V1Node>("metadata: {name: n1}\nspec: {podCIDR: 10.42.1.0/24, providerID: 'other://n1'}");
        _strategy.ApplyDefaults(moved);
        Assert.Equal(
            [
                "spec.podCIDRs|FieldValueForbidden|Forbidden: node updates may not change podCIDR except from \"\" to valid",
                "spec.providerID|FieldValueForbidden|Forbidden: node updates may not change providerID except from \"\" to valid",
            ],
            Lines(_strategy.ValidateUpdate(moved, old)));

        var fresh = Yaml<V1Node>("metadata: {name: n1}");
        var assigned = Yaml<V1Node>("metadata: {name: n1}\nspec: {podCIDRs: [10.42.0.0/24, 'fd00:42::/64']}");
        _strategy.ApplyDefaults(assigned);
        Assert.Empty(_strategy.ValidateUpdate(assigned, fresh));
    }

    [Fact]
    public void PodCIDRs_hold_one_per_family()
    {
        var node = Yaml<V1Node>("metadata: {name: n1}\nspec: {podCIDRs: [10.42.0.0/24, 10.43.0.0/24]}");
        Assert.Equal(
            ["spec.podCIDRs|FieldValueInvalid|Invalid value: []string{\"10.42.0.0/24\", \"10.43.0.0/24\"}: may specify no more than one CIDR for each IP family"],
            Lines(Create(_strategy, node)));
    }
}
