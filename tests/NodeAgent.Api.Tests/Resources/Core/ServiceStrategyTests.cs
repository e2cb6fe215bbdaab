using k8s.Models;
using NodeAgent.Api.Resources;
using NodeAgent.Api.Resources.Core;
using static NodeAgent.Api.Tests.Resources.Core.StrategyKit;

namespace NodeAgent.Api.Tests.Resources.Core;

public sealed class ServiceStrategyTests
{
    private const string Web = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          selector: {app: web}
        """;

    private readonly ServiceStrategy _strategy = new(UnitContext());

    [Fact]
    public void A_clusterIP_service_gets_upstreams_defaults()
    {
        var svc = Yaml<V1Service>(Web + "\n  ports: [{port: 80}]");
        Assert.Empty(Create(_strategy, svc));
        MatchJson(svc);
    }

    [Fact]
    public void A_nodePort_service_gets_traffic_policies_and_a_named_target_port_is_kept()
    {
        var svc = Yaml<V1Service>(Web + "\n  type: NodePort\n  ports: [{name: http, port: 80, targetPort: web}, {name: dns, port: 53, protocol: UDP}]");
        Assert.Empty(Create(_strategy, svc));
        MatchJson(svc);
    }

    [Fact]
    public void A_headless_service_without_selector_is_dual_stack_where_possible()
    {
        var svc = Yaml<V1Service>("""
            metadata: {name: db, namespace: default}
            spec: {clusterIP: None}
            """);
        Assert.Empty(Create(_strategy, svc));
        Assert.Equal("RequireDualStack", svc.Spec.IpFamilyPolicy);
        Assert.Equal(["IPv4", "IPv6"], svc.Spec.IpFamilies);
        Assert.Equal(["None"], svc.Spec.ClusterIPs);
    }

    [Fact]
    public void ClientIP_affinity_gets_the_default_timeout_and_None_drops_the_config()
    {
        var svc = Yaml<V1Service>(Web + "\n  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {}}\n  ports: [{port: 80}]");
        _strategy.ApplyDefaults(svc);
        Assert.Equal(10800, svc.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds);

        var none = Yaml<V1Service>(Web + "\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 10}}\n  ports: [{port: 80}]");
        _strategy.ApplyDefaults(none);
        Assert.Null(none.Spec.SessionAffinityConfig);
    }

    public static TheoryData<string, string, string[]> InvalidServices => new()
    {
        { "no ports", Web, ["spec.ports|FieldValueRequired|Required value"] },
        { "headless needs no ports", Web + "\n  clusterIP: None", [] },
        { "ExternalName needs no ports", Web + "\n  type: ExternalName\n  externalName: db.example.com", [] },
        {
            "port 0 (and the target port defaulted from it)", Web + "\n  ports: [{port: 0}]",
            [
                "spec.ports[0].port|FieldValueInvalid|Invalid value: 0: must be between 1 and 65535, inclusive",
                "spec.ports[0].targetPort|FieldValueInvalid|Invalid value: 0: must be between 1 and 65535, inclusive",
            ]
        },
        {
            "port above 65535", Web + "\n  ports: [{port: 70000, targetPort: 8080}]",
            ["spec.ports[0].port|FieldValueInvalid|Invalid value: 70000: must be between 1 and 65535, inclusive"]
        },
        {
            "two ports need names", Web + "\n  ports: [{port: 80}, {port: 443}]",
            ["spec.ports[0].name|FieldValueRequired|Required value", "spec.ports[1].name|FieldValueRequired|Required value"]
        },
        {
            "port names are unique", Web + "\n  ports: [{name: http, port: 80}, {name: http, port: 81}]",
            ["spec.ports[1].name|FieldValueDuplicate|Duplicate value: \"http\""]
        },
        {
            "port names are DNS labels", Web + "\n  ports: [{name: HTTP, port: 80}]",
            ["spec.ports[0].name|FieldValueInvalid|Invalid value: \"HTTP\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
        },
        {
            "protocol", Web + "\n  ports: [{port: 80, protocol: HTTP}]",
            ["spec.ports[0].protocol|FieldValueNotSupported|Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""]
        },
        {
            "type", Web + "\n  type: Magic\n  ports: [{port: 80}]",
            ["spec.type|FieldValueNotSupported|Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""]
        },
        {
            "nodePort on a ClusterIP service", Web + "\n  ports: [{port: 80, nodePort: 30080}]",
            ["spec.ports[0].nodePort|FieldValueForbidden|Forbidden: may not be used when `type` is 'ClusterIP'"]
        },
        {
            "externalTrafficPolicy only for externally reachable services", Web + "\n  externalTrafficPolicy: Local\n  ports: [{port: 80}]",
            ["spec.externalTrafficPolicy|FieldValueInvalid|Invalid value: \"Local\": may only be set for externally-accessible services"]
        },
        {
            "external IPs are ordinary unicast addresses", Web + "\n  externalIPs: [127.0.0.1, 192.0.2.10]\n  ports: [{port: 80}]",
            ["spec.externalIPs[0]|FieldValueInvalid|Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"]
        },
        {
            "allocateLoadBalancerNodePorts is for load balancers", Web + "\n  allocateLoadBalancerNodePorts: true\n  ports: [{port: 80}]",
            ["spec.allocateLoadBalancerNodePorts|FieldValueForbidden|Forbidden: may only be used when `type` is 'LoadBalancer'"]
        },
        {
            "ClientIP timeout at most a day", Web + "\n  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}\n  ports: [{port: 80}]",
            ["spec.sessionAffinityConfig.clientIP.timeoutSeconds|FieldValueInvalid|Invalid value: 86401: must be greater than 0 and less than 86400"]
        },
        {
            "clusterIP family matches ipFamilies", Web + "\n  clusterIP: 'fd00::10'\n  ipFamilies: [IPv4]\n  ports: [{port: 80}]",
            ["spec.clusterIPs[0]|FieldValueInvalid|Invalid value: \"fd00::10\": expected an IPv4 value as indicated by `ipFamilies[0]`"]
        },
        {
            "duplicate nodePort", Web + "\n  type: NodePort\n  ports: [{name: a, port: 80, nodePort: 30080}, {name: b, port: 81, nodePort: 30080}]",
            ["spec.ports[1].nodePort|FieldValueDuplicate|Duplicate value: 30080"]
        },
        {
            "duplicate port and protocol", Web + "\n  ports: [{name: a, port: 80}, {name: b, port: 80, targetPort: 81}]",
            ["spec.ports[1]|FieldValueDuplicate|Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"]
        },
        {
            "headless NodePort", Web + "\n  type: NodePort\n  clusterIP: None\n  ports: [{port: 80}]",
            ["spec.clusterIPs[0]|FieldValueInvalid|Invalid value: \"None\": may not be set to 'None' for NodePort services"]
        },
        {
            "clusterIP is an IP", Web + "\n  clusterIP: 10.43.0.300\n  ports: [{port: 80}]",
            ["spec.clusterIPs[0]|FieldValueInvalid|Invalid value: \"10.43.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
        },
        {
            "selector keys are label keys", "metadata: {name: web, namespace: default}\nspec:\n  selector: {-app: web}\n  ports: [{port: 80}]",
            ["spec.selector|FieldValueInvalid|Invalid value: \"-app\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]
        },
        {
            "names are DNS-1035 labels", "metadata: {name: 1web, namespace: default}\nspec:\n  ports: [{port: 80}]",
            ["metadata.name|FieldValueInvalid|Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]
        },
        {
            "named target ports are IANA service names", Web + "\n  ports: [{port: 80, targetPort: http_web}]",
            ["spec.ports[0].targetPort|FieldValueInvalid|Invalid value: \"http_web\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]
        },
        { "ExternalName needs the name", Web + "\n  type: ExternalName", ["spec.externalName|FieldValueRequired|Required value"] },
        {
            "ExternalName has no clusterIP", Web + "\n  type: ExternalName\n  externalName: db.example.com\n  clusterIP: 10.43.0.10\n  ipFamilyPolicy: SingleStack",
            [
                "spec.clusterIPs|FieldValueForbidden|Forbidden: may not be set for ExternalName services",
                "spec.ipFamilyPolicy|FieldValueForbidden|Forbidden: may not be set for ExternalName services",
            ]
        },
        {
            "session affinity", Web + "\n  sessionAffinity: Sticky\n  ports: [{port: 80}]",
            ["spec.sessionAffinity|FieldValueNotSupported|Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\""]
        },
    };

    [Theory]
    [MemberData(nameof(InvalidServices))]
    public void Validation_reports_upstreams_field_errors(string why, string yaml, string[] expected)
    {
        var svc = Yaml<V1Service>(yaml);
        Assert.True(expected.SequenceEqual(Lines(Create(_strategy, svc))), $"{why}: {string.Join(" / ", Lines(_strategy.ValidateCreate(svc)))}");
    }

    [Fact]
    public void Changing_the_clusterIP_is_refused_as_upstream_words_it()
    {
        var old = Allocated(Web + "\n  clusterIP: 10.43.0.10\n  ports: [{port: 80}]");
        var changed = Yaml<V1Service>(Web + "\n  clusterIP: 10.43.0.20\n  ports: [{port: 80}]");
        _strategy.ApplyDefaults(changed);
        Assert.Equal(
            ["spec.clusterIPs[0]|FieldValueInvalid|Invalid value: []string{\"10.43.0.20\"}: may not change once set"],
            Lines(_strategy.ValidateUpdate(changed, old)));
    }

    [Fact]
    public void An_update_without_clusterIP_and_nodePorts_keeps_the_allocated_ones()
    {
        var old = Allocated(Web + "\n  type: NodePort\n  clusterIP: 10.43.0.10\n  ports: [{name: http, port: 80, nodePort: 30080}]");
        var applied = Yaml<V1Service>(Web + "\n  type: NodePort\n  ports: [{name: http, port: 80}]");
        _strategy.ApplyDefaults(applied);
        Assert.Empty(_strategy.ValidateUpdate(applied, old));
        Assert.Equal("10.43.0.10", applied.Spec.ClusterIP);
        Assert.Equal(["10.43.0.10"], applied.Spec.ClusterIPs);
        Assert.Equal(30080, applied.Spec.Ports[0].NodePort);
    }

    [Fact]
    public void Changing_NodePort_to_ClusterIP_drops_the_nodePorts_the_client_left_in_place()
    {
        var old = Allocated(Web + "\n  type: NodePort\n  clusterIP: 10.43.0.10\n  ports: [{name: http, port: 80, nodePort: 30080}]");
        var applied = Yaml<V1Service>(Web + "\n  type: ClusterIP\n  clusterIP: 10.43.0.10\n  externalTrafficPolicy: Cluster\n  ports: [{name: http, port: 80, nodePort: 30080}]");
        _strategy.ApplyDefaults(applied);
        Assert.Empty(_strategy.ValidateUpdate(applied, old));
        Assert.Null(applied.Spec.Ports[0].NodePort);
        Assert.Null(applied.Spec.ExternalTrafficPolicy);
    }

    [Fact]
    public void Changing_to_ClusterIP_with_a_new_nodePort_is_still_refused()
    {
        var old = Allocated(Web + "\n  type: NodePort\n  clusterIP: 10.43.0.10\n  ports: [{name: http, port: 80, nodePort: 30080}]");
        var applied = Yaml<V1Service>(Web + "\n  type: ClusterIP\n  ports: [{name: http, port: 80, nodePort: 30081}]");
        _strategy.ApplyDefaults(applied);
        Assert.Equal(
            ["spec.ports[0].nodePort|FieldValueForbidden|Forbidden: may not be used when `type` is 'ClusterIP'"],
            Lines(_strategy.ValidateUpdate(applied, old)));
    }

    public static TheoryData<string, string, string, string> Rows => new()
    {
        { "one port", Web + "\n  clusterIP: 10.43.0.10\n  ports: [{port: 80}]", "<none>", "80/TCP" },
        { "node ports", Web + "\n  type: NodePort\n  clusterIP: 10.43.0.10\n  ports: [{name: a, port: 80, nodePort: 30080}, {name: b, port: 53, protocol: UDP, nodePort: 30053}]", "<none>", "80:30080/TCP,53:30053/UDP" },
        { "no ports", Web + "\n  clusterIP: None", "<none>", "<none>" },
        { "external IPs", Web + "\n  clusterIP: 10.43.0.10\n  externalIPs: [192.0.2.1, 192.0.2.2]\n  ports: [{port: 443}]", "192.0.2.1,192.0.2.2", "443/TCP" },
        { "load balancer waiting for an address", Web + "\n  type: LoadBalancer\n  clusterIP: 10.43.0.10\n  ports: [{port: 80, nodePort: 31000}]", "<pending>", "80:31000/TCP" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Table_cells_format_ports_and_external_IPs_as_upstream(string why, string yaml, string externalIp, string ports)
    {
        var svc = Yaml<V1Service>(yaml);
        svc.Metadata.CreationTimestamp = Now.UtcDateTime.AddMinutes(-5);
        _strategy.ApplyDefaults(svc);
        var cells = _strategy.Cells(svc, Now);
        Assert.Equal(_strategy.Columns.Count, cells.Count);
        Assert.True(externalIp == (string?)cells[3] && ports == (string?)cells[4], $"{why}: {cells[3]} {cells[4]}");
        Assert.Equal("5m", cells[5]);
        Assert.Equal("app=web", cells[6]);
    }

    [Fact]
    public void Table_columns_are_upstreams()
    {
        Assert.Equal(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"], _strategy.Columns.Select(c => c.Name));
        Assert.Equal(1, _strategy.Columns[^1].Priority);
    }

    [Fact]
    public void The_create_preparation_drops_a_client_supplied_status()
    {
        var svc = Yaml<V1Service>(Web + "\n  ports: [{port: 80}]\nstatus: {loadBalancer: {ingress: [{ip: 1.2.3.4}]}}");
        ((IResourceStrategy)_strategy).PrepareForCreate(svc);
        Assert.Null(svc.Status.LoadBalancer.Ingress);
    }

    private V1Service Allocated(string yaml)
    {
        var svc = Yaml<V1Service>(yaml);
        Assert.Empty(Create(_strategy, svc));
        return svc;
    }
}
