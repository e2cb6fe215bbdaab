using k8s.Models;
using NodeAgent.Api.Resources.Pods;

namespace NodeAgent.Api.Tests.Resources.Pods;

/// <summary>One case per rule: a broken pod spec, the field path, Status cause reason and message upstream reports.</summary>
public sealed class PodValidationTests
{
    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        { "no containers", "{containers: []}", "spec.containers", "FieldValueRequired", "Required value" },
        { "container without image", "{containers: [{name: web}]}", "spec.containers[0].image", "FieldValueRequired", "Required value" },
        { "container without name", "{containers: [{image: nginx}]}", "spec.containers[0].name", "FieldValueRequired", "Required value" },
        {
            "container name not a DNS label", "{containers: [{name: Web_1, image: nginx}]}", "spec.containers[0].name", "FieldValueInvalid",
            "Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        },
        { "duplicate container names", "{containers: [{name: web, image: nginx}, {name: web, image: nginx}]}", "spec.containers[1].name", "FieldValueDuplicate", "Duplicate value: \"web\"" },
        { "init container named like a container", "{containers: [{name: web, image: nginx}], initContainers: [{name: web, image: busybox}]}", "spec.initContainers[0].name", "FieldValueDuplicate", "Duplicate value: \"web\"" },
        { "containerPort 0", "{containers: [{name: web, image: nginx, ports: [{containerPort: 0}]}]}", "spec.containers[0].ports[0].containerPort", "FieldValueRequired", "Required value" },
        { "containerPort too big", "{containers: [{name: web, image: nginx, ports: [{containerPort: 70000}]}]}", "spec.containers[0].ports[0].containerPort", "FieldValueInvalid", "Invalid value: 70000: must be between 1 and 65535, inclusive" },
        { "hostPort too big", "{containers: [{name: web, image: nginx, ports: [{containerPort: 80, hostPort: 65536}]}]}", "spec.containers[0].ports[0].hostPort", "FieldValueInvalid", "Invalid value: 65536: must be between 1 and 65535, inclusive" },
        { "port name too long", "{containers: [{name: web, image: nginx, ports: [{containerPort: 80, name: a-very-long-port-name}]}]}", "spec.containers[0].ports[0].name", "FieldValueInvalid", "Invalid value: \"a-very-long-port-name\": must be no more than 15 characters" },
        { "duplicate port names", "{containers: [{name: web, image: nginx, ports: [{containerPort: 80, name: http}, {containerPort: 81, name: http}]}]}", "spec.containers[0].ports[1].name", "FieldValueDuplicate", "Duplicate value: \"http\"" },
        { "bad protocol", "{containers: [{name: web, image: nginx, ports: [{containerPort: 80, protocol: HTTP}]}]}", "spec.containers[0].ports[0].protocol", "FieldValueNotSupported", "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"" },
        { "env without name", "{containers: [{name: web, image: nginx, env: [{value: x}]}]}", "spec.containers[0].env[0].name", "FieldValueRequired", "Required value" },
        { "env name with '='", "{containers: [{name: web, image: nginx, env: [{name: 'A=B'}]}]}", "spec.containers[0].env[0].name", "FieldValueInvalid", "Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='" },
        { "env value and valueFrom", "{containers: [{name: web, image: nginx, env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]}]}", "spec.containers[0].env[0].valueFrom", "FieldValueInvalid", "Invalid value: \"\": may not be specified when `value` is not empty" },
        { "duplicate volume names", "{containers: [{name: web, image: nginx}], volumes: [{name: data, emptyDir: {}}, {name: data, emptyDir: {}}]}", "spec.volumes[1].name", "FieldValueDuplicate", "Duplicate value: \"data\"" },
        { "two volume sources", "{containers: [{name: web, image: nginx}], volumes: [{name: data, emptyDir: {}, configMap: {name: x}}]}", "spec.volumes[0].configMap", "FieldValueForbidden", "Forbidden: may not specify more than 1 volume type" },
        { "configMap volume without name", "{containers: [{name: web, image: nginx}], volumes: [{name: data, configMap: {}}]}", "spec.volumes[0].configMap.name", "FieldValueRequired", "Required value" },
        { "mount of a missing volume", "{containers: [{name: web, image: nginx, volumeMounts: [{name: data, mountPath: /data}]}]}", "spec.containers[0].volumeMounts[0].name", "FieldValueNotFound", "Not found: \"data\"" },
        { "mount without path", "{containers: [{name: web, image: nginx, volumeMounts: [{name: data}]}], volumes: [{name: data, emptyDir: {}}]}", "spec.containers[0].volumeMounts[0].mountPath", "FieldValueRequired", "Required value" },
        { "same mountPath twice", "{containers: [{name: web, image: nginx, volumeMounts: [{name: data, mountPath: /d}, {name: data, mountPath: /d}]}], volumes: [{name: data, emptyDir: {}}]}", "spec.containers[0].volumeMounts[1].mountPath", "FieldValueInvalid", "Invalid value: \"/d\": must be unique" },
        { "bad restartPolicy", "{containers: [{name: web, image: nginx}], restartPolicy: Sometimes}", "spec.restartPolicy", "FieldValueNotSupported", "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"" },
        { "bad dnsPolicy", "{containers: [{name: web, image: nginx}], dnsPolicy: Google}", "spec.dnsPolicy", "FieldValueNotSupported", "Unsupported value: \"Google\": supported values: \"ClusterFirst\", \"ClusterFirstWithHostNet\", \"Default\", \"None\"" },
        { "request above limit", "{containers: [{name: web, image: nginx, resources: {requests: {cpu: '2'}, limits: {cpu: '1'}}}]}", "spec.containers[0].resources.requests", "FieldValueInvalid", "Invalid value: \"2\": must be less than or equal to cpu limit of 1" },
        { "negative quantity", "{containers: [{name: web, image: nginx, resources: {requests: {memory: '-1Mi'}}}]}", "spec.containers[0].resources.requests[memory]", "FieldValueInvalid", "Invalid value: \"-1Mi\": must be greater than or equal to 0" },
        { "hugepages alone", "{containers: [{name: web, image: nginx, resources: {limits: {hugepages-2Mi: 4Mi}}}]}", "spec.containers[0].resources", "FieldValueForbidden", "Forbidden: HugePages require cpu or memory" },
        { "extended resource request without limit", "{containers: [{name: web, image: nginx, resources: {requests: {example.com/gpu: '1'}}}]}", "spec.containers[0].resources.limits", "FieldValueRequired", "Required value: Limit must be set for non overcommitable resources" },
        { "unknown resource", "{containers: [{name: web, image: nginx, resources: {limits: {gpu: '1'}}}]}", "spec.containers[0].resources.limits[gpu]", "FieldValueInvalid", "Invalid value: \"gpu\": must be a standard resource for containers" },
        { "probe with two handlers", "{containers: [{name: web, image: nginx, livenessProbe: {exec: {command: [true]}, tcpSocket: {port: 80}}}]}", "spec.containers[0].livenessProbe.tcpSocket", "FieldValueForbidden", "Forbidden: may not specify more than 1 handler type" },
        { "probe without handler", "{containers: [{name: web, image: nginx, readinessProbe: {periodSeconds: 5}}]}", "spec.containers[0].readinessProbe", "FieldValueRequired", "Required value: must specify a handler type" },
        { "liveness successThreshold", "{containers: [{name: web, image: nginx, livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}}]}", "spec.containers[0].livenessProbe.successThreshold", "FieldValueInvalid", "Invalid value: 2: must be 1" },
        { "probe port out of range", "{containers: [{name: web, image: nginx, readinessProbe: {httpGet: {port: 0}}}]}", "spec.containers[0].readinessProbe.httpGet.port", "FieldValueInvalid", "Invalid value: 0: must be between 1 and 65535, inclusive" },
        { "negative runAsUser", "{containers: [{name: web, image: nginx, securityContext: {runAsUser: -1}}]}", "spec.containers[0].securityContext.runAsUser", "FieldValueInvalid", "Invalid value: -1: must be between 0 and 2147483647, inclusive" },
        { "activeDeadlineSeconds 0", "{containers: [{name: web, image: nginx}], activeDeadlineSeconds: 0}", "spec.activeDeadlineSeconds", "FieldValueInvalid", "Invalid value: 0: must be between 1 and 2147483647, inclusive" },
        { "toleration with Exists and a value", "{containers: [{name: web, image: nginx}], tolerations: [{key: a, operator: Exists, value: b}]}", "spec.tolerations[0].operator", "FieldValueInvalid", "Invalid value: \"b\": value must be empty when `operator` is 'Exists'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rejects(string because, string spec, string field, string reason, string message)
    {
        var pod = Manifests.Parse<V1Pod>("metadata: {name: p}\nspec: " + spec);
        var strategy = new PodStrategy();
        strategy.ApplyDefaults(pod);
        var errors = strategy.ValidateCreate(pod);
        Assert.False(errors.Count == 0, because);
        Manifests.HasError(errors, field, reason, message);
    }

    [Fact]
    public void A_well_formed_pod_has_no_errors()
    {
        var pod = Manifests.Parse<V1Pod>("""
            spec:
              containers:
              - name: web
                image: nginx:1.27
                ports: [{containerPort: 80, name: http}]
                readinessProbe: {httpGet: {port: http}}
                resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
                volumeMounts: [{name: data, mountPath: /data}]
              volumes: [{name: data}]
            """);
        var strategy = new PodStrategy();
        strategy.ApplyDefaults(pod);
        Assert.Empty(strategy.ValidateCreate(pod));
    }

    [Fact]
    public void Templates_report_errors_under_their_prefix()
    {
        var spec = Manifests.Parse<V1PodSpec>("{containers: [{name: web, ports: [{containerPort: 0}]}]}");
        PodSpecDefaults.ApplyToSpec(spec);
        var errors = PodSpecValidation.Validate(spec, "spec.template.spec");
        Manifests.HasError(errors, "spec.template.spec.containers[0].image", "FieldValueRequired", "Required value");
        Manifests.HasError(errors, "spec.template.spec.containers[0].ports[0].containerPort", "FieldValueRequired", "Required value");
    }
}
