using k8s.Models;
using NodeAgent.Api.Resources.Pods;

namespace NodeAgent.Api.Tests.Resources.Pods;

public sealed class PodDefaultsTests
{
    private const string Pod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: default
          uid: 5f0c1a2b-0000-4000-8000-000000000001
          creationTimestamp: "2026-11-28T12:00:00Z"
        spec:
          initContainers:
          - name: setup
            image: busybox:1.36
            command: ["sh", "-c", "true"]
          containers:
          - name: web
            image: nginx
            ports:
            - containerPort: 80
              name: http
            env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            resources:
              limits:
                cpu: 500m
                memory: 128Mi
            livenessProbe:
              httpGet:
                port: http
            readinessProbe:
              tcpSocket:
                port: 80
            volumeMounts:
            - name: config
              mountPath: /etc/web
            - name: scratch
              mountPath: /tmp
          volumes:
          - name: config
            configMap:
              name: web-config
          - name: token
            secret:
              secretName: web-token
          - name: scratch
        """;

    [Fact]
    public void Defaulted_pod_snapshot()
    {
        var pod = Manifests.Parse<V1Pod>(Pod);
        var strategy = new PodStrategy();
        strategy.ApplyDefaults(pod);
        strategy.PrepareForCreate(pod);
        Manifests.Snapshot(pod);
    }

    [Fact]
    public void Qos_class_from_requests_and_limits_of_all_containers()
    {
        // The init container has no limits, so the pod is not Guaranteed (init containers count).
        var pod = Manifests.Parse<V1Pod>(Pod);
        var strategy = new PodStrategy();
        strategy.ApplyDefaults(pod);
        strategy.PrepareForCreate(pod);
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal("Burstable", pod.Status.QosClass);

        var limitsOnly = Manifests.Parse<V1Pod>("spec: {containers: [{name: a, image: busybox, resources: {limits: {cpu: 100m, memory: 64Mi}}}]}");
        strategy.ApplyDefaults(limitsOnly);
        strategy.PrepareForCreate(limitsOnly);
        Assert.Equal("Guaranteed", limitsOnly.Status.QosClass);

        var bare = Manifests.Parse<V1Pod>("spec: {containers: [{name: a, image: busybox}]}");
        strategy.ApplyDefaults(bare);
        strategy.PrepareForCreate(bare);
        Assert.Equal("BestEffort", bare.Status.QosClass);

        var burstable = Manifests.Parse<V1Pod>("spec: {containers: [{name: a, image: busybox, resources: {requests: {cpu: 100m}}}]}");
        strategy.ApplyDefaults(burstable);
        strategy.PrepareForCreate(burstable);
        Assert.Equal("Burstable", burstable.Status.QosClass);
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.27", "IfNotPresent")]
    [InlineData("localhost:5000/nginx", "Always")]
    [InlineData("localhost:5000/nginx:1.0", "IfNotPresent")]
    [InlineData("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    public void Image_pull_policy_follows_the_tag(string image, string policy) =>
        Assert.Equal(policy, PodSpecDefaults.PullPolicyFor(image));

    [Fact]
    public void Existing_not_ready_toleration_is_kept_and_only_unreachable_is_added()
    {
        var pod = Manifests.Parse<V1Pod>("""
            spec:
              containers: [{name: a, image: busybox}]
              tolerations:
              - key: node.kubernetes.io/not-ready
                operator: Exists
                effect: NoExecute
                tolerationSeconds: 10
            """);
        PodSpecDefaults.ApplyAdmission(pod);
        Assert.Equal(2, pod.Spec.Tolerations.Count);
        Assert.Equal(10, pod.Spec.Tolerations[0].TolerationSeconds);
        Assert.Equal(("node.kubernetes.io/unreachable", 300L), (pod.Spec.Tolerations[1].Key, pod.Spec.Tolerations[1].TolerationSeconds!.Value));
    }

    [Fact]
    public void Templates_get_spec_defaults_but_not_pod_only_ones()
    {
        var spec = Manifests.Parse<V1PodSpec>("{containers: [{name: a, image: busybox, resources: {limits: {cpu: '1'}}}]}");
        PodSpecDefaults.ApplyToSpec(spec);
        Assert.Equal(("Always", "ClusterFirst", "default-scheduler", 30L), (spec.RestartPolicy, spec.DnsPolicy, spec.SchedulerName, spec.TerminationGracePeriodSeconds!.Value));
        Assert.Null(spec.EnableServiceLinks);
        Assert.Null(spec.ServiceAccountName);
        Assert.Null(spec.Containers[0].Resources.Requests);
        Assert.Null(spec.Tolerations);
    }

    [Fact]
    public void Scheduling_gates_give_a_SchedulingGated_condition()
    {
        var pod = Manifests.Parse<V1Pod>("spec: {containers: [{name: a, image: busybox}], schedulingGates: [{name: example.com/wait}]}");
        new PodStrategy().PrepareForCreate(pod);
        var condition = Assert.Single(pod.Status.Conditions);
        Assert.Equal(("PodScheduled", "False", "SchedulingGated"), (condition.Type, condition.Status, condition.Reason));
    }

    [Fact]
    public void Selectable_fields_of_a_pod()
    {
        var pod = Manifests.Parse<V1Pod>("""
            metadata: {name: web, namespace: default}
            spec: {nodeName: node-1, containers: [{name: a, image: busybox}]}
            status: {phase: Running, podIPs: [{ip: 10.42.0.7}]}
            """);
        var strategy = new PodStrategy();
        strategy.ApplyDefaults(pod);
        var fields = ((NodeAgent.Api.Resources.IResourceStrategy)strategy).SelectableFields(pod);
        Assert.Equal("node-1", fields["spec.nodeName"]);
        Assert.Equal("Running", fields["status.phase"]);
        Assert.Equal("10.42.0.7", fields["status.podIP"]);
        Assert.Equal("Always", fields["spec.restartPolicy"]);
        Assert.Equal("default-scheduler", fields["spec.schedulerName"]);
        Assert.Equal("false", fields["spec.hostNetwork"]);
        Assert.Equal("", fields["status.nominatedNodeName"]);
        Assert.Equal("web", fields["metadata.name"]);
    }
}
