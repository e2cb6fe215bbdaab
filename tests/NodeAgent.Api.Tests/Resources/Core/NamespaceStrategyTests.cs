using k8s.Models;
using NodeAgent.Api.Resources.Core;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Core;

public sealed class NamespaceStrategyTests
{
    private readonly NamespaceStrategy _strategy = new();

    [Fact]
    public void A_new_namespace_is_Active_with_the_kubernetes_finalizer_and_its_name_label()
    {
        var ns = Yaml<V1Namespace>("metadata: {name: team-a}");
        Assert.Empty(Create(_strategy, ns));
        Assert.Equal("Active", ns.Status.Phase);
        Assert.Equal(["kubernetes"], ns.Spec.Finalizers);
        Assert.Equal("team-a", ns.Metadata.Labels["kubernetes.io/metadata.name"]);
    }

    [Fact]
    public void A_client_cannot_create_a_Terminating_namespace_and_its_own_finalizers_stay()
    {
        var ns = Yaml<V1Namespace>("metadata: {name: team-a}\nspec: {finalizers: [example.com/cleanup]}\nstatus: {phase: Terminating}");
        Assert.Empty(Create(_strategy, ns));
        Assert.Equal("Active", ns.Status.Phase);
        Assert.Equal(["example.com/cleanup", "kubernetes"], ns.Spec.Finalizers);
    }

    [Fact]
    public void An_update_keeps_the_stored_finalizers()
    {
        var old = Yaml<V1Namespace>("metadata: {name: team-a}");
        Create(_strategy, old);
        var edited = Yaml<V1Namespace>("metadata: {name: team-a, labels: {tier: gold}}\nspec: {finalizers: []}");
        _strategy.ApplyDefaults(edited);
        Assert.Empty(_strategy.ValidateUpdate(edited, old));
        Assert.Equal(["kubernetes"], edited.Spec.Finalizers);
    }

    public static TheoryData<string, string[]> BadNames => new()
    {
        {
            "Team_A",
            ["metadata.name|FieldValueInvalid|Invalid value: \"Team_A\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
        },
        {
            "a.b",
            ["metadata.name|FieldValueInvalid|Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
        },
        {
            new string('a', 64),
            [$"metadata.name|FieldValueInvalid|Invalid value: \"{new string('a', 64)}\": must be no more than 63 characters"]
        },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Names_are_DNS_labels(string name, string[] expected)
    {
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = name } };
        Assert.Equal(expected, Lines(Create(_strategy, ns)));
    }

    [Fact]
    public void Status_phase_is_selectable_and_printed()
    {
        var ns = Yaml<V1Namespace>("metadata: {name: team-a}");
        Create(_strategy, ns);
        ns.Metadata.CreationTimestamp = Now.UtcDateTime.AddDays(-3);
        IResourceStrategyFields(ns, out var fields);
        Assert.Equal("Active", fields["status.phase"]);
        Assert.Equal("team-a", fields["metadata.name"]);
        Assert.Equal(["Name", "Status", "Age"], _strategy.Columns.Select(c => c.Name));
        Assert.Equal(["team-a", "Active", "3d"], _strategy.Cells(ns, Now));
    }

    private void IResourceStrategyFields(V1Namespace ns, out IReadOnlyDictionary<string, string> fields) =>
        fields = ((NodeAgent.Api.Resources.IResourceStrategy)_strategy).SelectableFields(ns);
}
