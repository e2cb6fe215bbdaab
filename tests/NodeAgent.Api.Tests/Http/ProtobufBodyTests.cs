using System.Text.Json.Nodes;
using Google.Protobuf;
using NodeAgent.Api.Http;
using NodeAgent.Api.Http.Protobuf;
using NodeAgent.Api.Resources;
using static NodeAgent.Api.Tests.Http.ProtobufWire;

namespace NodeAgent.Api.Tests.Http;

public sealed class ProtobufBodyTests
{
    private static readonly IReadOnlyList<ResourceDefinition> Definitions =
        BuiltinResources.All(NodeAgent.Api.Tests.Resources.Core.StrategyKit.UnitContext());

    private static ResourceDefinition Resource(string group, string kind) =>
        Definitions.Single(d => d.Group == group && d.Kind == kind);

    /// <summary>ObjectMeta as Go marshals a fresh object: every plain field written, even when empty.</summary>
    private static Action<CodedOutputStream> Meta(string name, params Action<CodedOutputStream>[] extra) =>
        Sub(1, [Str(1, name), Str(2, ""), Str(3, ""), Str(4, ""), Str(5, ""), Str(6, ""), Int(7, 0), ZeroTime(8), .. extra]);

    private static Action<CodedOutputStream> Container(params Action<CodedOutputStream>[] extra) =>
        Sub(2, [Str(1, "c"), Str(2, "busybox"), Str(5, ""), Sub(8), Str(13, ""), Str(14, ""), Flag(16, false), Flag(17, false), Flag(18, false), Str(20, ""), .. extra]);

    private static Action<CodedOutputStream> Template(params Action<CodedOutputStream>[] spec) =>
        Sub(3, Sub(1, Str(1, ""), ZeroTime(8), Entry(11, "app", "web")), Sub(2, [Container(), Str(3, "Always"), Str(6, "ClusterFirst"), .. spec]));

    private const string TemplateJson = """
        {"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox","resources":{}}],"restartPolicy":"Always","dnsPolicy":"ClusterFirst"}}
        """;

    public static TheoryData<string, string, string, byte[], string> Cases() => new()
    {
        {
            "pod with env, ports, resources, security context, volume; status ignored", "", "Pod",
            Message(
                Meta("p", Entry(11, "x", "y")),
                Sub(2,
                    Sub(1, Str(1, "scratch"), Sub(2, Sub(2, Str(1, ""), Sub(2, Str(1, "1Gi"))))),
                    Container(
                        Str(4, "sleep"), Str(4, "10"),
                        Sub(6, Str(1, ""), Int(2, 0), Int(3, 80), Str(4, "TCP"), Str(5, "")),
                        Sub(7, Str(1, "A"), Str(2, "B")),
                        Sub(8, QuantityEntry(1, "cpu", "500m"), QuantityEntry(2, "memory", "64Mi")),
                        Sub(9, Str(1, "scratch"), Flag(2, false), Str(3, "/scratch"), Str(4, ""), Str(6, "")),
                        Sub(15, Sub(1, Str(2, "ALL")), Flag(2, false), Int(4, 0))),
                    Str(3, "Never"), Int(4, 0), Str(6, "ClusterFirst"), Flag(11, false), Sub(15, Str(1, "pull"))),
                Sub(3, Str(1, ""))),
            """
            {"metadata":{"name":"p","labels":{"x":"y"}},"spec":{
              "volumes":[{"name":"scratch","emptyDir":{"sizeLimit":"1Gi"}}],
              "containers":[{"name":"c","image":"busybox","resources":{"limits":{"cpu":"500m"},"requests":{"memory":"64Mi"}},
                "args":["sleep","10"],"ports":[{"containerPort":80,"protocol":"TCP"}],"env":[{"name":"A","value":"B"}],
                "volumeMounts":[{"name":"scratch","mountPath":"/scratch"}],
                "securityContext":{"capabilities":{"drop":["ALL"]},"privileged":false,"runAsUser":0}}],
              "restartPolicy":"Never","terminationGracePeriodSeconds":0,"dnsPolicy":"ClusterFirst","imagePullSecrets":[{"name":"pull"}]}}
            """
        },
        {
            "deployment with selector, strategy (IntOrString both ways), template", "apps", "Deployment",
            Message(
                Meta("web"),
                Sub(2, Int(1, 2), Sub(2, Entry(1, "app", "web")), Template(), Sub(4, Str(1, "RollingUpdate"), Sub(2, IntOrString(1, "25%"), IntOrString(2, 0))), Int(5, 0), Flag(7, false)),
                Sub(3, Int(1, 0))),
            """{"metadata":{"name":"web"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":"""
                + TemplateJson
                + ""","strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":0}}}}"""
        },
        {
            "job keeps a pointer zero (backoffLimit: 0)", "batch", "Job",
            Message(Meta("j"), Sub(2, Int(2, 1), Sub(6, Sub(1, Str(1, ""), ZeroTime(8)), Sub(2, Container(Str(3, "echo"), Str(3, "hi")), Str(3, "Never"))), Int(7, 0))),
            """
            {"metadata":{"name":"j"},"spec":{"completions":1,"template":{"metadata":{},"spec":{"containers":[{"name":"c","image":"busybox","resources":{},"command":["echo","hi"]}],"restartPolicy":"Never"}},"backoffLimit":0}}
            """
        },
        {
            "cronjob with job template, suspend false kept, time zone", "batch", "CronJob",
            Message(
                Meta("c"),
                Sub(2, Str(1, "*/5 * * * *"), Str(3, "Allow"), Flag(4, false), Sub(5, Sub(1, Str(1, "c"), ZeroTime(8)), Sub(2, Sub(6, Sub(2, Container(), Str(3, "OnFailure"))))), Str(8, "Etc/UTC"))),
            """
            {"metadata":{"name":"c"},"spec":{"schedule":"*/5 * * * *","concurrencyPolicy":"Allow","suspend":false,
              "jobTemplate":{"metadata":{"name":"c"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox","resources":{}}],"restartPolicy":"OnFailure"}}}},
              "timeZone":"Etc/UTC"}}
            """
        },
        {
            "nodeport service with numeric and named target ports", "", "Service",
            Message(
                Meta("s", Entry(11, "app", "s")),
                Sub(2,
                    Sub(1, Str(1, "80-8080"), Str(2, "TCP"), Int(3, 80), IntOrString(4, 8080), Int(5, 0)),
                    Sub(1, Str(1, "web"), Str(2, "TCP"), Int(3, 443), IntOrString(4, "https"), Int(5, 30443)),
                    Entry(2, "app", "s"), Str(3, ""), Str(4, "NodePort"), Str(7, ""), Int(12, 0), Flag(13, false)),
                Sub(3, Sub(1))),
            """
            {"metadata":{"name":"s","labels":{"app":"s"}},"spec":{"ports":[
              {"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080},
              {"name":"web","protocol":"TCP","port":443,"targetPort":"https","nodePort":30443}],
              "selector":{"app":"s"},"type":"NodePort"}}
            """
        },
        {
            "docker-registry secret: bytes become base64", "", "Secret",
            Message(Meta("r"), Sub(2, Str(1, ".dockerconfigjson"), Bytes(2, "{\"auths\":{}}"u8.ToArray())), Str(3, "kubernetes.io/dockerconfigjson")),
            """
            {"metadata":{"name":"r"},"data":{".dockerconfigjson":"eyJhdXRocyI6e319"},"type":"kubernetes.io/dockerconfigjson"}
            """
        },
        {
            "object meta in full", "", "ConfigMap",
            Message(Sub(1,
                Str(1, "m"), Str(2, "gen-"), Str(3, "ns"), Str(5, "u-1"), Str(6, "42"), Int(7, 3),
                Sub(8, Int(1, 1700000000), Int(2, 5)),
                Entry(11, "l", "1"), Entry(12, "a", "2"),
                Sub(13, Str(1, "Deployment"), Str(3, "web"), Str(4, "u-0"), Str(5, "apps/v1"), Flag(6, true), Flag(7, false)),
                Str(14, "example.com/f"),
                Sub(17, Str(1, "kubectl"), Str(2, "Update"), Str(3, "v1"), Str(6, "FieldsV1"), Sub(7, Bytes(1, "{\"f:data\":{}}"u8.ToArray()))))),
            """
            {"metadata":{"name":"m","generateName":"gen-","namespace":"ns","uid":"u-1","resourceVersion":"42","generation":3,
              "creationTimestamp":"2023-11-14T22:13:20Z","labels":{"l":"1"},"annotations":{"a":"2"},
              "ownerReferences":[{"kind":"Deployment","name":"web","uid":"u-0","apiVersion":"apps/v1","controller":true,"blockOwnerDeletion":false}],
              "finalizers":["example.com/f"],
              "managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{}}}]}}
            """
        },
        {
            "kubectl auth can-i create pods: SelfSubjectAccessReview, status ignored", "authorization.k8s.io", "SelfSubjectAccessReview",
            Message(
                Meta(""),
                Sub(2, Sub(1, Str(1, "default"), Str(2, "create"), Str(3, ""), Str(4, ""), Str(5, "pods"), Str(6, ""), Str(7, ""))),
                Sub(3, Flag(1, false), Str(2, ""), Str(3, ""), Flag(4, false))),
            """{"metadata":{},"spec":{"resourceAttributes":{"namespace":"default","verb":"create","resource":"pods"}}}"""
        },
        {
            "kubectl auth can-i get /api: non-resource attributes", "authorization.k8s.io", "SelfSubjectAccessReview",
            Message(Meta(""), Sub(2, Sub(2, Str(1, "/api"), Str(2, "get")))),
            """{"metadata":{},"spec":{"nonResourceAttributes":{"path":"/api","verb":"get"}}}"""
        },
        {
            "kubectl auth can-i --list: SelfSubjectRulesReview", "authorization.k8s.io", "SelfSubjectRulesReview",
            Message(Meta(""), Sub(2, Str(1, "default"))),
            """{"metadata":{},"spec":{"namespace":"default"}}"""
        },
        {
            "TokenReview with audiences", "authentication.k8s.io", "TokenReview",
            Message(Meta(""), Sub(2, Str(1, "t0ken"), Str(2, "api"))),
            """{"metadata":{},"spec":{"token":"t0ken","audiences":["api"]}}"""
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decodes_to_the_json_the_client_would_have_sent(string scenario, string group, string kind, byte[] message, string expectedJson)
    {
        var resource = Resource(group, kind);
        var expected = JsonNode.Parse(expectedJson)!.AsObject();
        expected["apiVersion"] = resource.ApiVersion;
        expected["kind"] = kind;

        var decoded = ProtobufBody.Decode(Envelope(resource.ApiVersion, kind, message), resource);

        Assert.True(JsonNode.DeepEquals(expected, decoded), $"{scenario}:\n{decoded.ToJsonString()}");
    }

    [Fact]
    public void An_unknown_field_number_is_415_naming_message_field_and_path()
    {
        var message = Message(Meta("p"), Sub(2, Container(Int(99, 1))));

        var error = Assert.Throws<ApiException>(() => ProtobufBody.Decode(Envelope("v1", "Pod", message), Resource("", "Pod")));

        Assert.Equal(415, error.Code);
        Assert.Equal("protobuf field 99 of message Container (at spec.containers[0]) is not supported by this server; send the object as application/json", error.Message);
    }

    [Fact]
    public void A_kind_without_a_table_is_415()
    {
        var other = Definitions.First(d => !ProtobufSchema.Roots.ContainsKey((d.Group, d.Kind)));

        var error = Assert.Throws<ApiException>(() => ProtobufBody.Decode(Envelope(other.ApiVersion, other.Kind, Message(Meta("s"))), other));

        Assert.Equal(415, error.Code);
        Assert.Contains("protobuf is accepted for", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x6b, 0x38, 0x73, 0x00, 0x12, 0x05, 0x0a })]
    [InlineData(new byte[] { 0x6b, 0x38, 0x73, 0x00, 0x12, 0x02, 0x0a, 0x09 })]
    [InlineData(new byte[] { 0x7b, 0x7d })]
    public void Truncated_or_unframed_bodies_are_400(byte[] body)
    {
        var error = Assert.Throws<ApiException>(() => ProtobufBody.Decode(body, Resource("", "ConfigMap")));

        Assert.Equal(400, error.Code);
    }

    [Fact]
    public void A_wire_type_that_contradicts_the_table_is_400()
    {
        var message = Message(Meta("p"), Sub(2, Str(3, "Never"), Str(4, "thirty")));

        var error = Assert.Throws<ApiException>(() => ProtobufBody.Decode(Envelope("v1", "Pod", message), Resource("", "Pod")));

        Assert.Equal(400, error.Code);
        Assert.Contains("field 4 of message PodSpec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Packed_repeated_integers_decode_like_unpacked_ones()
    {
        var packed = Message(o => o.WriteInt64(1000), o => o.WriteInt64(2000));
        var message = Message(Meta("p"), Sub(2, Sub(14, Int(4, 5), Bytes(4, packed))));

        var decoded = ProtobufBody.Decode(Envelope("v1", "Pod", message), Resource("", "Pod"));

        Assert.Equal("[5,1000,2000]", decoded["spec"]!["securityContext"]!["supplementalGroups"]!.ToJsonString());
    }

    [Fact]
    public void Every_message_a_table_refers_to_has_a_table_and_every_root_exists()
    {
        var missing = ProtobufSchema.Messages
            .SelectMany(m => m.Value.Values.Where(f => f.Message is not null && !ProtobufSchema.Messages.ContainsKey(f.Message)).Select(f => $"{m.Key}.{f.Json} → {f.Message}"))
            .Concat(ProtobufSchema.Roots.Values.Where(r => !ProtobufSchema.Messages.ContainsKey(r)))
            .ToList();

        Assert.Empty(missing);

        // TokenRequest is the body of a subresource (serviceaccounts/token), not a resource of its own.
        Assert.All(
            ProtobufSchema.Roots.Keys.Where(r => r != ("authentication.k8s.io", "TokenRequest")),
            root => Assert.Contains(Definitions, d => d.Group == root.Group && d.Kind == root.Kind));
    }
}
