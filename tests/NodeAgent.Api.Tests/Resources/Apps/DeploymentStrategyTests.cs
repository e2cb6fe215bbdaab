using k8s.Models;
using NodeAgent.Api.Resources.Apps;

namespace NodeAgent.Api.Tests.Resources.Apps;

public sealed class DeploymentStrategyTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: nginx:1.27
                ports: [{containerPort: 80}]
              - name: log
                image: busybox
        """;

    private static V1Deployment Defaulted(string yaml = Deployment, Action<V1Deployment>? change = null)
    {
        var deployment = Manifests.Parse<V1Deployment>(yaml);
        change?.Invoke(deployment);
        new DeploymentStrategy().ApplyDefaults(deployment);
        return deployment;
    }

    [Fact]
    public void Defaulted_deployment_snapshot() => Manifests.Snapshot(Defaulted());

    [Fact]
    public void A_valid_deployment_has_no_errors() => Assert.Empty(new DeploymentStrategy().ValidateCreate(Defaulted()));

    public static TheoryData<string, Action<V1Deployment>, string, string, string> Cases => new()
    {
        {
            "selector does not match the template", d => d.Spec.Selector.MatchLabels["app"] = "api",
            "spec.template.metadata.labels", "FieldValueInvalid", "Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"
        },
        { "no selector", d => d.Spec.Selector = null, "spec.selector", "FieldValueRequired", "Required value" },
        {
            "empty selector", d => d.Spec.Selector = new V1LabelSelector(),
            "spec.selector", "FieldValueInvalid", "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"
        },
        { "negative replicas", d => d.Spec.Replicas = -1, "spec.replicas", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0" },
        {
            "template restartPolicy Never", d => d.Spec.Template.Spec.RestartPolicy = "Never",
            "spec.template.spec.restartPolicy", "FieldValueNotSupported", "Unsupported value: \"Never\": supported values: \"Always\""
        },
        { "container without image", d => d.Spec.Template.Spec.Containers[1].Image = null, "spec.template.spec.containers[1].image", "FieldValueRequired", "Required value" },
        {
            "port out of range", d => d.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort = 0,
            "spec.template.spec.containers[0].ports[0].containerPort", "FieldValueRequired", "Required value"
        },
        {
            "bad strategy type", d => d.Spec.Strategy = new V1DeploymentStrategy { Type = "BlueGreen" },
            "spec.strategy.type", "FieldValueNotSupported", "Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\""
        },
        {
            "Recreate with rollingUpdate", d => d.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate", RollingUpdate = new V1RollingUpdateDeployment() },
            "spec.strategy.rollingUpdate", "FieldValueForbidden", "Forbidden: may not be specified when strategy `type` is 'Recreate'"
        },
        {
            "maxSurge and maxUnavailable both 0", d => d.Spec.Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 0, MaxUnavailable = "0%" } },
            "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid", "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}: may not be 0 when `maxSurge` is 0"
        },
        {
            "maxUnavailable over 100%", d => d.Spec.Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = "150%" } },
            "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid", "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%"
        },
        {
            "progressDeadlineSeconds not above minReadySeconds", d => { d.Spec.MinReadySeconds = 30; d.Spec.ProgressDeadlineSeconds = 30; },
            "spec.progressDeadlineSeconds", "FieldValueInvalid", "Invalid value: 30: must be greater than minReadySeconds"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rejects(string because, Action<V1Deployment> change, string field, string reason, string message)
    {
        var errors = new DeploymentStrategy().ValidateCreate(Defaulted(change: change));
        Assert.False(errors.Count == 0, because);
        Manifests.HasError(errors, field, reason, message);
    }

    [Fact]
    public void A_missing_selector_also_reports_the_template_mismatch_as_upstream_does()
    {
        var errors = new DeploymentStrategy().ValidateCreate(Defaulted(change: d => d.Spec.Selector = null));
        Manifests.HasError(errors, "spec.template.metadata.labels", "FieldValueInvalid", "Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`");
    }

    [Fact]
    public void Selector_is_immutable()
    {
        var old = Defaulted();
        var updated = Defaulted(change: d =>
        {
            d.Spec.Selector.MatchLabels["tier"] = "front";
            d.Spec.Template.Metadata.Labels["tier"] = "front";
        });
        var error = Assert.Single(new DeploymentStrategy().ValidateUpdate(updated, old));
        Assert.Equal("spec.selector", error.Field);
        Assert.Equal("Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable", error.Message);
    }

    [Fact]
    public void Table_cells()
    {
        var deployment = Defaulted(change: d =>
        {
            d.Metadata.CreationTimestamp = Manifests.Now.UtcDateTime.AddMinutes(-5);
            d.Spec.Replicas = 3;
            d.Status = new V1DeploymentStatus { ReadyReplicas = 2, UpdatedReplicas = 3, AvailableReplicas = 2 };
        });
        var strategy = new DeploymentStrategy();
        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"], strategy.Columns.Select(c => c.Name));
        Assert.Equal(new object?[] { "web", "2/3", 3L, 2L, "5m", "web,log", "nginx:1.27,busybox", "app=web" }, strategy.Cells(deployment, Manifests.Now));
    }
}
