using k8s.Models;
using NodeAgent.Api.Resources.Pods;

namespace NodeAgent.Api.Tests.Resources.Pods;

public sealed class PodUpdateTests
{
    private static V1Pod Created()
    {
        var pod = Manifests.Parse<V1Pod>("""
            metadata: {name: web, namespace: default}
            spec:
              activeDeadlineSeconds: 600
              containers: [{name: web, image: nginx:1.26, ports: [{containerPort: 80}]}]
            """);
        var strategy = new PodStrategy();
        strategy.ApplyDefaults(pod);
        strategy.PrepareForCreate(pod);
        return pod;
    }

    private static V1Pod Copy(V1Pod pod) => k8s.KubernetesJson.Deserialize<V1Pod>(k8s.KubernetesJson.Serialize(pod));

    [Fact]
    public void Image_deadline_and_added_tolerations_may_change()
    {
        var old = Created();
        var updated = Copy(old);
        updated.Spec.Containers[0].Image = "nginx:1.27";
        updated.Spec.ActiveDeadlineSeconds = 300;
        updated.Spec.Tolerations.Add(new V1Toleration { Key = "dedicated", OperatorProperty = "Exists", Effect = "NoSchedule" });
        Assert.Empty(new PodStrategy().ValidateUpdate(updated, old));
    }

    [Fact]
    public void Other_spec_changes_are_forbidden()
    {
        var old = Created();
        var updated = Copy(old);
        updated.Spec.Containers[0].Ports[0].ContainerPort = 8080;
        var error = Assert.Single(new PodStrategy().ValidateUpdate(updated, old));
        Assert.Equal(("spec", "FieldValueForbidden"), (error.Field, error.Reason));
        Assert.StartsWith("Forbidden: " + PodUpdateValidation.ForbiddenMessage, error.Message, StringComparison.Ordinal);
        Assert.Contains("spec.containers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deadline_may_only_shrink()
    {
        var old = Created();
        var updated = Copy(old);
        updated.Spec.ActiveDeadlineSeconds = 900;
        Manifests.HasError(new PodStrategy().ValidateUpdate(updated, old), "spec.activeDeadlineSeconds", "FieldValueInvalid", "Invalid value: 900: must be less than or equal to previous value");
    }

    [Fact]
    public void Containers_may_not_be_added()
    {
        var old = Created();
        var updated = Copy(old);
        updated.Spec.Containers.Add(new V1Container { Name = "log", Image = "busybox", ImagePullPolicy = "Always", TerminationMessagePath = "/dev/termination-log", TerminationMessagePolicy = "File" });
        Manifests.HasError(new PodStrategy().ValidateUpdate(updated, old), "spec.containers", "FieldValueForbidden", "Forbidden: pod updates may not add or remove containers");
    }

    [Fact]
    public void Existing_tolerations_may_not_change()
    {
        var old = Created();
        var updated = Copy(old);
        updated.Spec.Tolerations.RemoveAt(0);
        Manifests.HasError(new PodStrategy().ValidateUpdate(updated, old), "spec.tolerations", "FieldValueForbidden", "Forbidden: existing toleration can not be modified except its tolerationSeconds");
    }
}
