using k8s.Models;
using NodeAgent.Api.Resources.Apps;

namespace NodeAgent.Api.Tests.Resources.Apps;

public sealed class ReplicaSetStrategyTests
{
    private static V1ReplicaSet Defaulted()
    {
        var rs = Manifests.Parse<V1ReplicaSet>("""
            metadata: {name: web-5d4f, namespace: default}
            spec:
              selector: {matchLabels: {app: web, pod-template-hash: 5d4f}}
              template:
                metadata: {labels: {app: web, pod-template-hash: 5d4f}}
                spec: {containers: [{name: web, image: nginx}]}
            """);
        new ReplicaSetStrategy().ApplyDefaults(rs);
        return rs;
    }

    [Fact]
    public void Defaults_replicas_and_template()
    {
        var rs = Defaulted();
        Assert.Equal(1, rs.Spec.Replicas);
        Assert.Equal("Always", rs.Spec.Template.Spec.Containers[0].ImagePullPolicy);
        Assert.Empty(new ReplicaSetStrategy().ValidateCreate(rs));
    }

    [Fact]
    public void Template_must_match_selector()
    {
        var rs = Defaulted();
        rs.Spec.Template.Metadata.Labels.Remove("pod-template-hash");
        Manifests.HasError(new ReplicaSetStrategy().ValidateCreate(rs), "spec.template.metadata.labels", "FieldValueInvalid",
            "Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`");
    }

    [Fact]
    public void Table_cells_and_selectable_replicas()
    {
        var rs = Defaulted();
        rs.Spec.Replicas = 3;
        rs.Status = new V1ReplicaSetStatus { Replicas = 3, ReadyReplicas = 1 };
        var strategy = new ReplicaSetStrategy();
        Assert.Equal(["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"], strategy.Columns.Select(c => c.Name));
        Assert.Equal(new object?[] { "web-5d4f", 3L, 3L, 1L, "<unknown>", "web", "nginx", "app=web,pod-template-hash=5d4f" }, strategy.Cells(rs, Manifests.Now));
        Assert.Equal("3", ((NodeAgent.Api.Resources.IResourceStrategy)strategy).SelectableFields(rs)["status.replicas"]);
    }
}
